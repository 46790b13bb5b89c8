//! The OS keyring through libsecret's `secret-tool` command.
//!
//! We have no keyring crate, and the command is what desktop Linux ships. The key goes in
//! on stdin and comes back on stdout, never in argv (which any local user can read in the
//! process list). Every call has a time limit: a keyring waiting for an unlock prompt, or a
//! D-Bus that never answers, must not hang the app.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use super::KeyStoreError;
use crate::job::Provider;
use crate::secret::ApiKey;

/// How long the first check may take before the keyring counts as unavailable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a real call may take (long enough to answer an unlock prompt).
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub(super) struct SecretTool {
    program: PathBuf,
    works: OnceLock<bool>,
}

/// What a finished call left behind.
struct Ran {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: String,
}

impl Ran {
    /// `secret-tool` exits 1 without a word when nothing matched; with a word, it failed.
    fn found_nothing(&self) -> bool {
        self.status.code() == Some(1) && self.stderr.trim().is_empty()
    }

    fn detail(&self) -> String {
        match self.stderr.trim() {
            "" => format!("secret-tool exited with {}", self.status),
            said => said.to_owned(),
        }
    }
}

impl SecretTool {
    pub(super) fn new(program: PathBuf) -> Self {
        Self { program, works: OnceLock::new() }
    }

    /// `secret-tool` from PATH, if there is one.
    pub(super) fn on_path() -> Option<Self> {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path).map(|dir| dir.join("secret-tool")).find(|p| p.is_file()).map(Self::new)
    }

    /// Whether the keyring answers at all: a lookup of an entry that cannot exist must
    /// either succeed or find nothing. Checked once per store.
    pub(super) fn works(&self) -> bool {
        *self.works.get_or_init(|| {
            let probe = ["lookup", "service", "mjdesk", "provider", "mjdesk-probe"];
            match self.run(&probe, None, PROBE_TIMEOUT) {
                Ok(ran) => ran.status.success() || ran.found_nothing(),
                Err(e) => {
                    tracing::info!("no usable keyring ({e}); API keys go to the credentials file");
                    false
                }
            }
        })
    }

    pub(super) fn lookup(&self, provider: Provider) -> Result<Option<ApiKey>, KeyStoreError> {
        let fail = |detail| KeyStoreError::Keyring { action: "read", detail };
        let ran = self
            .run(&["lookup", "service", "mjdesk", "provider", provider.as_str()], None, CALL_TIMEOUT)
            .map_err(fail)?;
        if ran.found_nothing() {
            return Ok(None);
        }
        if !ran.status.success() {
            return Err(fail(ran.detail()));
        }
        let text = String::from_utf8(ran.stdout).map_err(|_| fail("the stored key is not text".into()))?;
        let key = ApiKey::new(text);
        Ok((!key.is_empty()).then_some(key))
    }

    pub(super) fn store(&self, provider: Provider, key: &ApiKey) -> Result<(), KeyStoreError> {
        let label = format!("--label=mjdesk API key ({})", provider.display_name());
        let args = ["store", label.as_str(), "service", "mjdesk", "provider", provider.as_str()];
        let fail = |detail: String| KeyStoreError::Keyring { action: "store", detail: key.redact(&detail) };
        let ran = self.run(&args, Some(key.expose().as_bytes()), CALL_TIMEOUT).map_err(fail)?;
        if !ran.status.success() {
            return Err(fail(ran.detail()));
        }
        Ok(())
    }

    pub(super) fn clear(&self, provider: Provider) -> Result<(), KeyStoreError> {
        let fail = |detail| KeyStoreError::Keyring { action: "remove", detail };
        let ran = self
            .run(&["clear", "service", "mjdesk", "provider", provider.as_str()], None, CALL_TIMEOUT)
            .map_err(fail)?;
        if ran.status.success() || ran.found_nothing() { Ok(()) } else { Err(fail(ran.detail())) }
    }

    fn run(&self, args: &[&str], input: Option<&[u8]>, timeout: Duration) -> Result<Ran, String> {
        let mut child = Command::new(&self.program)
            .args(args)
            .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", self.program.display()))?;
        if let (Some(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
            // Dropping stdin at the end of this block closes it: secret-tool reads to EOF.
            if let Err(e) = stdin.write_all(bytes) {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("could not hand the key to secret-tool: {e}"));
            }
        }
        // Pipes are drained on threads: a helper it spawned (a D-Bus daemon) may keep them
        // open long after secret-tool itself has exited.
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let deadline = Instant::now() + timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "secret-tool did not answer within {} s (is the keyring waiting to be unlocked?)",
                        timeout.as_secs()
                    ));
                }
                Err(e) => return Err(format!("could not wait for secret-tool: {e}")),
            }
        };
        let grace = Duration::from_secs(1);
        Ok(Ran {
            status,
            stdout: stdout.recv_timeout(grace).unwrap_or_default(),
            stderr: String::from_utf8_lossy(&stderr.recv_timeout(grace).unwrap_or_default()).into_owned(),
        })
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            let _ = tx.send(buf);
        });
    }
    rx
}
