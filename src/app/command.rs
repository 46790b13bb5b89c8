//! [`UiCommand`]: everything a panel or editor asks of the window.

/// What a panel asks for. Panels push these while drawing; the window applies them, in
/// order, at the start of the next pass (`logic`), each in one place: [`super::MjdeskApp::apply`].
#[derive(Debug, Clone, PartialEq)]
pub enum UiCommand {
    Imagine {
        prompt: String,
    },
    Action {
        job_id: String,
        action: String,
    },
    Retry {
        job_id: String,
    },
    /// Ask the gateway again about a job mjdesk stopped waiting for at its deadline.
    CheckAgain {
        job_id: String,
    },
    /// Redraw image `index` of the job with a changed prompt (Vtrix's remix).
    Remix {
        job_id: String,
        index: u8,
        prompt: String,
        strong: bool,
    },
    Select {
        job_id: String,
    },
    /// Open the mask canvas on a single image (the job's vary-region actions route here).
    VaryRegion {
        job_id: String,
    },
    /// Ask where to save a downloaded image, suggesting this file name.
    SaveImage {
        source: std::path::PathBuf,
        file_name: String,
    },
    CopyImage {
        source: std::path::PathBuf,
    },
    /// Open the folder holding this file.
    ShowInFolder {
        path: std::path::PathBuf,
    },
    /// Store the settings (the key in the keyring or 0600 file) and reconnect.
    SaveSettings(Box<super::settings_form::SettingsForm>),
    /// Open (or close) the Settings window.
    ToggleSettings,
    /// Show the jobs that match this filter.
    Filter(crate::store::JobFilter),
    /// Open the mask canvas to edit (or retexture) a job's single image.
    EditImage {
        job_id: String,
        retexture: bool,
    },
    /// Choose an image file (or take a dropped one) and open the mask canvas to edit it.
    EditFile {
        path: Option<std::path::PathBuf>,
    },
    /// Start a new edit from the mask this job was sent with.
    EditMaskAgain {
        job_id: String,
    },
    /// Open the Vtrix canvas edit on image `index` of a job.
    CanvasEdit {
        job_id: String,
        index: u8,
    },
    /// Ask the native dialog for images for a panel.
    PickImages {
        target: PickFor,
    },
    /// Take the clipboard's image for a panel.
    PasteImage {
        target: PickFor,
    },
    Blend {
        images: Vec<crate::intent::ImageSource>,
        dimensions: Option<crate::job::Dimensions>,
    },
    Describe {
        image: crate::intent::ImageSource,
    },
    /// Like job `job_id`, or take the like back.
    ToggleLike {
        job_id: String,
    },
    /// Rate job `job_id` 1 to 5 stars (`None` clears the rating).
    Rate {
        job_id: String,
        stars: Option<u8>,
    },
    /// Ask the gateway for the seed of a finished job.
    Seed {
        job_id: String,
    },
    /// Send what the open editor built (its Submit).
    SendEdit(Box<crate::intent::Intent>),
    /// Close the open editor.
    CloseEditor,
    /// Remember the mask canvas's tool and brush size (they changed).
    CanvasPrefs(crate::app::canvas::CanvasPrefs),
    /// Put a prompt (one of Describe's) into the prompt box.
    UsePrompt {
        prompt: String,
    },
    /// Put a job's prompt (all its parameters) back into the prompt box, in the job's mode.
    EditPrompt {
        job_id: String,
    },
    /// Add to the jobs chosen in the list those in rows `rows` under `filter` (a Shift+click
    /// range over rows the list has not read).
    ChooseRows {
        filter: crate::store::JobFilter,
        rows: std::ops::Range<u64>,
    },
    /// Forget which jobs are chosen in the list.
    ClearSelection,
    /// Make an empty collection (the name is checked already).
    CreateCollection {
        name: String,
    },
    RenameCollection {
        id: crate::store::CollectionId,
        name: String,
    },
    /// Delete a collection; its jobs stay.
    DeleteCollection {
        id: crate::store::CollectionId,
    },
    /// Put jobs (by our id) in a collection.
    AddToCollection {
        id: crate::store::CollectionId,
        jobs: Vec<String>,
    },
    /// Take jobs out of a collection.
    RemoveFromCollection {
        id: crate::store::CollectionId,
        jobs: Vec<String>,
    },
    /// Export the jobs chosen in the list (or every job it shows) into `folder`, or (None)
    /// into the folder the desktop's dialog gives.
    Export {
        folder: Option<std::path::PathBuf>,
    },
    /// Stop the export under way between two images.
    CancelExport,
    /// Do on the open editor's mask canvas what its toolbar or key does (from the palette).
    CanvasAction(crate::app::canvas::Action),
    /// Animate image `index` (None: the only one) of a finished job.
    Animate {
        job_id: String,
        index: Option<u8>,
        video: crate::job::VideoOptions,
        /// The last frame, if any: as typed (a job id, a link, a file), or a picked file or
        /// pasted image.
        end: Option<crate::intent::FrameSource>,
    },
    /// Extend clip `index` (0-3) of a finished video job.
    Extend {
        job_id: String,
        index: u8,
    },
}

/// Which panel the images are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickFor {
    Blend,
    Describe,
    /// The mask canvas, for an edit of the (first) image.
    Edit,
    /// The open `Animate` form's end frame (one image).
    EndFrame,
}
