//! The native file dialogs, told apart from a cancel. rfd answers a dialog that never
//! appeared exactly as it answers one the designer closed: with nothing. On Linux it asks
//! the desktop's file-chooser portal over D-Bus, falls back to `zenity`, and with neither
//! returns nothing, so the window said "Not saved" to a designer who never saw a dialog.
//! After an empty answer, [`missing`] checks whether a dialog could have opened at all and,
//! if not, says what to install. No egui here.

use std::ffi::OsString;
use std::time::Duration;

use rfd::{AsyncFileDialog, FileHandle};

/// No file dialog can open on this desktop. The text is short enough for the status bar;
/// why the portal did not answer is in the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no file dialog here (install xdg-desktop-portal-gtk or zenity)")]
pub struct NoDialog {
    /// Why the portal did not answer, for the log.
    pub portal: String,
}

/// How long the portal may take to answer whether it is there.
const PORTAL_TIMEOUT: Duration = Duration::from_secs(3);

/// One file, `Ok(None)` when the designer cancelled.
pub async fn pick_file(dialog: AsyncFileDialog) -> Result<Option<FileHandle>, NoDialog> {
    answered(dialog.pick_file().await).await
}

/// Several files, an empty list when the designer cancelled.
pub async fn pick_files(dialog: AsyncFileDialog) -> Result<Vec<FileHandle>, NoDialog> {
    Ok(answered(dialog.pick_files().await).await?.unwrap_or_default())
}

/// A folder, `Ok(None)` when the designer cancelled.
pub async fn pick_folder(dialog: AsyncFileDialog) -> Result<Option<FileHandle>, NoDialog> {
    answered(dialog.pick_folder().await).await
}

/// Where to save, `Ok(None)` when the designer cancelled.
pub async fn save_file(dialog: AsyncFileDialog) -> Result<Option<FileHandle>, NoDialog> {
    answered(dialog.save_file().await).await
}

async fn answered<T>(answer: Option<T>) -> Result<Option<T>, NoDialog> {
    match answer {
        Some(chosen) => Ok(Some(chosen)),
        None => match missing(std::env::var_os("PATH"), None).await {
            Some(why) => Err(why),
            None => Ok(None),
        },
    }
}

/// Why no dialog could have opened, or None when one could (so an empty answer was a
/// cancel). `bus` is a D-Bus address to ask instead of the session bus (for tests).
async fn missing(path: Option<OsString>, bus: Option<&str>) -> Option<NoDialog> {
    if !cfg!(target_os = "linux") || has_zenity(path) {
        return None;
    }
    match portal_file_chooser(bus).await {
        Ok(()) => None,
        Err(portal) => {
            tracing::info!("no file dialog: no zenity on PATH and no file-chooser portal ({portal})");
            Some(NoDialog { portal })
        }
    }
}

fn has_zenity(path: Option<OsString>) -> bool {
    path.is_some_and(|p| std::env::split_paths(&p).any(|dir| dir.join("zenity").is_file()))
}

/// Whether the desktop portal offers its FileChooser (the portal without a backend does
/// not): it is asked for that interface's version.
async fn portal_file_chooser(bus: Option<&str>) -> Result<(), String> {
    let builder = match bus {
        Some(address) => zbus::connection::Builder::address(address),
        None => zbus::connection::Builder::session(),
    }
    .map_err(|e| format!("no session bus: {e}"))?;
    let connection =
        builder.method_timeout(PORTAL_TIMEOUT).build().await.map_err(|e| format!("no session bus: {e}"))?;
    connection
        .call_method(
            Some("org.freedesktop.portal.Desktop"),
            "/org/freedesktop/portal/desktop",
            Some("org.freedesktop.DBus.Properties"),
            "Get",
            &("org.freedesktop.portal.FileChooser", "version"),
        )
        .await
        .map(|_| ())
        .map_err(|e| match e {
            zbus::Error::MethodError(name, _, _) => format!("the bus answered {}", name.as_str()),
            other => other.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
    }

    #[test]
    fn with_neither_portal_nor_zenity_the_designer_is_told_what_to_install() {
        let empty = tempfile::tempdir().expect("dir");
        let nowhere = format!("unix:path={}", empty.path().join("no-bus").display());
        let why = runtime().block_on(missing(Some(empty.path().into()), Some(&nowhere))).expect("no dialog");
        let said = why.to_string();
        assert!(said.starts_with("no file dialog here"), "{said}");
        assert!(said.contains("xdg-desktop-portal-gtk") && said.contains("zenity"), "{said}");
        assert!(why.portal.contains("no session bus"), "why the portal did not answer: {}", why.portal);
    }

    #[test]
    fn zenity_on_the_path_means_an_empty_answer_was_a_cancel() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("zenity"), "#!/bin/sh\n").expect("write");
        let nowhere = format!("unix:path={}", dir.path().join("no-bus").display());
        assert_eq!(runtime().block_on(missing(Some(dir.path().into()), Some(&nowhere))), None);
    }
}
