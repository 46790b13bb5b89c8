//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "mjdesk",
    version,
    about = "Drive Midjourney through TTAPI, AceData or Vtrix. With no command, opens the desktop app.",
    after_help = "Keys: --api-key, or TTAPI_API_KEY / ACEDATA_API_KEY / VTRIX_API_KEY, or `mjdesk key set PROVIDER`.\nWith no key, mjdesk uses its built-in simulator.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Cmd>,
    /// An image to open in the mask canvas for an edit ("Open with mjdesk")
    #[arg(value_name = "IMAGE")]
    pub image: Option<PathBuf>,
    /// With no command, the window opens on this endpoint.
    #[command(flatten)]
    pub endpoint: EndpointArgs,
}

/// Which gateway, where, with which key: taken the same by the window and every gateway
/// command.
#[derive(Debug, Clone, Default, Args)]
pub struct EndpointArgs {
    /// Which gateway [default: ttapi if a TTAPI key is configured, else sim]
    #[arg(long, value_enum)]
    pub provider: Option<ProviderArg>,
    /// The gateway's base URL (a proxy, a simulator, a test server)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The API key (used for this command or window only, never stored)
    #[arg(long, value_name = "KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Allow a plain-http base URL that is not on this machine
    #[arg(long)]
    pub allow_http: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    Ttapi,
    Acedata,
    Vtrix,
    /// The built-in simulator (speaks TTAPI's protocol).
    Sim,
}

/// Options every gateway command takes.
#[derive(Debug, Clone, Args)]
pub struct GatewayArgs {
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// Speed mode: fast, relax or turbo
    #[arg(long)]
    pub mode: Option<String>,
    /// Gateway-side timeout in seconds (also mjdesk's deadline)
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u32>,
    /// Poll with a progress bar until the job is done
    #[arg(long)]
    pub wait: bool,
    /// Download the result images into this folder (implies --wait)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
    /// Print the exact request that would be sent (key redacted) and send nothing
    #[arg(long)]
    pub dry_run: bool,
    /// TTAPI hookUrl: the gateway also posts the result there
    #[arg(long, value_name = "URL")]
    pub hook_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Generate a 2x2 grid from a prompt
    Imagine {
        prompt: String,
        /// TTAPI getUImages: also return the four images separately
        #[arg(long)]
        get_u_images: bool,
        #[command(flatten)]
        g: GatewayArgs,
    },
    /// Run an action a job offers: U1-U4, V1-V4, reroll, or any string from its actions list
    Action {
        job_id: String,
        action: String,
        #[command(flatten)]
        g: GatewayArgs,
    },
    /// Show a job's state (add --wait to follow it to the end); asks the gateway again about a job mjdesk stopped waiting for
    Fetch {
        job_id: String,
        #[command(flatten)]
        g: GatewayArgs,
    },
    /// Four prompts that describe an image
    Describe {
        image: PathBuf,
        #[command(flatten)]
        g: GatewayArgs,
    },
    /// Blend 2 to 5 images
    Blend {
        #[arg(required = true, num_args = 1..)]
        images: Vec<PathBuf>,
        /// PORTRAIT (2:3), SQUARE (1:1) or LANDSCAPE (3:2)
        #[arg(long)]
        dimensions: Option<String>,
        #[command(flatten)]
        g: GatewayArgs,
    },
    /// The seed of a finished job
    Seed {
        job_id: String,
        #[command(flatten)]
        g: GatewayArgs,
    },
    /// Vary (Region) an upscaled image: white (or transparent) in the mask is repainted
    Inpaint {
        job_id: String,
        #[arg(long, value_name = "MASK.png")]
        mask: PathBuf,
        #[arg(long)]
        prompt: Option<String>,
        #[command(flatten)]
        g: GatewayArgs,
    },
    /// Edit or retexture an image; white (or transparent) in the mask is what changes
    Edit {
        /// An image file, or (Vtrix) JOB_ID:N for image N of a job
        image: String,
        #[arg(long, value_name = "MASK.png")]
        mask: Option<PathBuf>,
        #[arg(long)]
        prompt: String,
        #[arg(long)]
        retexture: bool,
        #[command(flatten)]
        g: GatewayArgs,
    },
    /// Redraw image N (1-4) of a job with a changed prompt (Vtrix's remix)
    Remix {
        job_id: String,
        /// Which image, 1 to 4
        #[arg(value_parser = clap::value_parser!(u8).range(1..=4))]
        n: u8,
        /// The prompt the image should follow
        #[arg(long)]
        prompt: String,
        /// Keep close to the image (by default the new prompt is followed closely)
        #[arg(long)]
        subtle: bool,
        #[command(flatten)]
        g: GatewayArgs,
    },
    /// Turn an image into short clips (Midjourney video): image N (1-4) of a job, or --image
    Animate {
        /// The job whose image to animate (leave out with --image)
        #[arg(required_unless_present = "image")]
        job_id: Option<String>,
        /// Which image of a grid, 1 to 4 (not needed for a job with one image)
        n: Option<String>,
        /// An outside image to animate instead: a file or a link
        #[arg(long, value_name = "FILE|URL", conflicts_with = "job_id")]
        image: Option<String>,
        /// The last frame: a file, a link, or a job (JOB_ID or JOB_ID:N)
        #[arg(long, value_name = "FILE|URL|JOB_ID")]
        end_image: Option<String>,
        /// End where it starts
        #[arg(long = "loop", conflicts_with = "end_image")]
        looped: bool,
        /// SD (480p) or HD (720p)
        #[arg(long, value_name = "sd|hd", default_value = "sd")]
        resolution: String,
        #[command(flatten)]
        v: VideoArgs,
        #[command(flatten)]
        g: GatewayArgs,
    },
    /// Make clip N (1-4) of a video job about 4 s longer (up to about 21 s)
    Extend {
        job_id: String,
        /// Which clip, 1 to 4
        n: String,
        #[command(flatten)]
        v: VideoArgs,
        #[command(flatten)]
        g: GatewayArgs,
    },
    /// Serve the gateway simulator
    Simulate(SimulateArgs),
    /// List the jobs mjdesk knows, newest first (the filters combine)
    Jobs {
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Like a job; liking it again takes the like back
    Like {
        job_id: String,
        /// Take the like back (whether or not it was liked)
        #[arg(long)]
        off: bool,
    },
    /// Rate a job 1 to 5 stars
    Rate {
        job_id: String,
        /// 1 to 5
        #[arg(required_unless_present = "clear", allow_negative_numbers = true)]
        stars: Option<String>,
        /// Take the rating back
        #[arg(long, conflicts_with = "stars")]
        clear: bool,
    },
    /// Keep jobs in named collections (a job can be in several)
    Collection {
        #[command(subcommand)]
        action: CollectionAction,
    },
    /// Copy jobs' full-size images into a folder, each with a JSON sidecar (prompt, parameters,
    /// gateway, ids, parent, mask, dates)
    Export(ExportArgs),
    /// Submit again a job that failed or whose submit may not have arrived (it may cost quota twice)
    Retry {
        job_id: String,
        #[arg(long, value_name = "KEY")]
        api_key: Option<String>,
        /// Follow the job to its end
        #[arg(long)]
        wait: bool,
        #[arg(long)]
        json: bool,
    },
    /// Follow every unfinished job to its end and download its images
    Resume {
        #[arg(long, value_name = "KEY")]
        api_key: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Save or remove a gateway's API key (OS keyring, or a 0600 file)
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
}

/// The choices animate and extend share. Values are read by mjdesk, so a wrong one is one
/// clear line.
#[derive(Debug, Clone, Args)]
pub struct VideoArgs {
    /// How much the picture moves: low or high
    #[arg(long, value_name = "low|high", default_value = "low")]
    pub motion: String,
    /// A motion prompt (manual animation); without one the animation is automatic
    #[arg(long, value_name = "TEXT")]
    pub prompt: Option<String>,
    /// Clips to make: 1, 2 or 4
    #[arg(long, value_name = "1|2|4", default_value = "4")]
    pub batch: String,
}

/// What `mjdesk jobs` shows. Values are read by mjdesk, so a wrong one is one clear line.
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Only jobs whose prompt holds these words (as word beginnings, in any order)
    #[arg(long, value_name = "WORDS")]
    pub search: Option<String>,
    /// Only liked jobs
    #[arg(long)]
    pub liked: bool,
    /// Only jobs rated this many stars or more (1 to 5)
    #[arg(long, value_name = "N")]
    pub rating: Option<String>,
    /// Only the jobs in this collection
    #[arg(long, value_name = "NAME")]
    pub collection: Option<String>,
    /// Only this aspect ratio (a prompt without --ar is 1:1)
    #[arg(long, value_name = "W:H")]
    pub ar: Option<String>,
    /// Only this model version: 7, 6.1, niji 6, or default (prompts naming none)
    #[arg(long, value_name = "VERSION")]
    pub model: Option<String>,
    /// Only this mode: fast, relax, turbo, or default (sent with none)
    #[arg(long, value_name = "MODE")]
    pub mode: Option<String>,
    /// Only jobs sent to this gateway: ttapi, acedata or vtrix
    #[arg(long, value_name = "GATEWAY")]
    pub provider: Option<String>,
    /// Only jobs made on or after this day (YYYY-MM-DD, UTC)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only jobs made on or before this day (YYYY-MM-DD, UTC)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CollectionAction {
    /// The collections, with how many jobs each holds
    List {
        #[arg(long)]
        json: bool,
    },
    /// Make an empty collection
    Create { name: String },
    /// Put jobs in a collection (made if there is none of that name)
    Add {
        name: String,
        #[arg(required = true, value_name = "JOB")]
        jobs: Vec<String>,
    },
    /// Take jobs out of a collection (the jobs stay)
    Remove {
        name: String,
        #[arg(required = true, value_name = "JOB")]
        jobs: Vec<String>,
    },
    /// Rename a collection
    Rename { old: String, new: String },
    /// Delete a collection (its jobs stay)
    Delete { name: String },
}

/// What `mjdesk export` writes.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Jobs to export (ids as `mjdesk jobs` shows them, or the gateway's)
    #[arg(value_name = "JOB")]
    pub jobs: Vec<String>,
    /// Also every liked job
    #[arg(long)]
    pub liked: bool,
    /// Also every job in this collection (with --liked: the liked ones in it)
    #[arg(long, value_name = "NAME")]
    pub collection: Option<String>,
    /// The folder to write into (made if needed)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum KeyAction {
    /// Read the key from standard input and save it
    Set { provider: ProviderArg },
    /// Forget the saved key
    Clear { provider: ProviderArg },
}

#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    #[arg(long, default_value_t = crate::connect::DEFAULT_SIM_PORT)]
    pub port: u16,
    /// The key the simulator accepts
    #[arg(long, default_value = crate::sim::DEFAULT_KEY)]
    pub key: String,
    /// Seconds a job waits in the queue
    #[arg(long, default_value_t = 1.0)]
    pub queue_secs: f64,
    /// Seconds a job runs from 0% to done
    #[arg(long, default_value_t = 3.0)]
    pub run_secs: f64,
    /// Jobs in progress allowed per key
    #[arg(long, default_value_t = 10)]
    pub max_in_progress: usize,
    /// Result links expire after this many seconds
    #[arg(long)]
    pub image_ttl_secs: Option<u64>,
    /// Fraction of calls answered 500
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Fraction of calls answered 429 with Retry-After
    #[arg(long, default_value_t = 0.0)]
    pub rate_limit_rate: f64,
    /// Fraction of answers that are malformed JSON
    #[arg(long, default_value_t = 0.0)]
    pub malformed_rate: f64,
    /// Fraction of calls whose connection is dropped after processing
    #[arg(long, default_value_t = 0.0)]
    pub drop_rate: f64,
    /// Delay before every answer, in milliseconds
    #[arg(long, default_value_t = 0)]
    pub slow_ms: u64,
    /// A word that fails any job whose prompt contains it (repeatable)
    #[arg(long)]
    pub banned_word: Vec<String>,
}
