//! The window's settings as plain data: which gateway, its base URL and API key, the default
//! mode, the download folder and the theme; how they are stored (never the key) and which
//! gateway they open the window on ([`Target`]). The Settings panel edits a [`SettingsForm`];
//! the background start reads and writes it.

use std::fmt;

use crate::job::{Mode, Provider};

/// Which gateway the window opens on: as the command line says, else TTAPI when a key is
/// configured for it, else the built-in simulator.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub provider: Option<Provider>,
    /// `--provider sim`: the built-in simulator even when a key is configured.
    pub simulator: bool,
    pub base_url: Option<String>,
    pub api_key: Option<String>,
    pub allow_http: bool,
}

/// Where jobs go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayChoice {
    Gateway(Provider),
    /// The built-in simulator: no key, nothing spent.
    Simulator,
}

impl GatewayChoice {
    pub const ALL: [GatewayChoice; 4] = [
        GatewayChoice::Gateway(Provider::Ttapi),
        GatewayChoice::Gateway(Provider::Acedata),
        GatewayChoice::Gateway(Provider::Vtrix),
        GatewayChoice::Simulator,
    ];

    pub fn label(self) -> &'static str {
        match self {
            GatewayChoice::Gateway(p) => p.display_name(),
            GatewayChoice::Simulator => "Built-in simulator",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Dark,
    Light,
}

/// The settings as the panel edits them.
#[derive(Clone, PartialEq)]
pub struct SettingsForm {
    pub gateway: GatewayChoice,
    /// Empty: the gateway's default URL.
    pub base_url: String,
    /// Empty: keep the key already stored.
    pub api_key: String,
    pub default_mode: Option<Mode>,
    /// Empty: the system's downloads folder.
    pub download_folder: String,
    pub theme: Theme,
    /// A desktop notification when jobs end while the window is not focused.
    pub notifications: bool,
}

impl Default for SettingsForm {
    fn default() -> Self {
        Self {
            gateway: GatewayChoice::Simulator,
            base_url: String::new(),
            api_key: String::new(),
            default_mode: None,
            download_folder: String::new(),
            theme: Theme::Dark,
            notifications: true,
        }
    }
}

/// Never prints the key.
impl fmt::Debug for SettingsForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SettingsForm")
            .field("gateway", &self.gateway)
            .field("base_url", &self.base_url)
            .field("api_key", &if self.api_key.is_empty() { "" } else { "[redacted]" })
            .field("default_mode", &self.default_mode)
            .field("download_folder", &self.download_folder)
            .field("theme", &self.theme)
            .field("notifications", &self.notifications)
            .finish()
    }
}

/// Why the form cannot be saved as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsProblem {
    #[error("the base URL must start with https:// (http:// only for localhost): {0}")]
    BaseUrl(String),
    #[error("the API key has spaces or line breaks in it; paste it again")]
    KeyWhitespace,
}

impl SettingsForm {
    /// The base URL that will be used: the one typed, or the gateway's default.
    pub fn effective_base_url(&self) -> Option<String> {
        match self.gateway {
            GatewayChoice::Simulator => None,
            GatewayChoice::Gateway(p) if self.base_url.trim().is_empty() => Some(p.default_base_url().to_owned()),
            GatewayChoice::Gateway(_) => Some(self.base_url.trim().trim_end_matches('/').to_owned()),
        }
    }

    pub fn validate(&self) -> Result<(), SettingsProblem> {
        if let GatewayChoice::Gateway(_) = self.gateway {
            let url = self.base_url.trim();
            let local = ["http://localhost", "http://127.0.0.1", "http://[::1]"];
            let ok = url.is_empty()
                || (url.starts_with("https://") && url.len() > "https://".len())
                || local.iter().any(|l| url.starts_with(l));
            if !ok {
                return Err(SettingsProblem::BaseUrl(url.to_owned()));
            }
        }
        let key = self.api_key.trim();
        if key.chars().any(char::is_whitespace) {
            return Err(SettingsProblem::KeyWhitespace);
        }
        Ok(())
    }
}

/// The names the window's settings are stored under (the store's settings table; never the key).
pub mod keys {
    pub const GATEWAY: &str = "window.gateway";
    pub const BASE_URL: &str = "window.base_url";
    pub const DEFAULT_MODE: &str = "window.default_mode";
    pub const DOWNLOAD_FOLDER: &str = "window.download_folder";
    pub const THEME: &str = "window.theme";
    pub const NOTIFICATIONS: &str = "window.notifications";
    pub const ALL: [&str; 6] = [GATEWAY, BASE_URL, DEFAULT_MODE, DOWNLOAD_FOLDER, THEME, NOTIFICATIONS];
}

impl SettingsForm {
    /// The non-secret settings as (name, value) pairs to store. The key is never among them.
    pub fn to_settings(&self) -> Vec<(&'static str, String)> {
        let gateway = match self.gateway {
            GatewayChoice::Gateway(p) => p.as_str().to_owned(),
            GatewayChoice::Simulator => "sim".to_owned(),
        };
        let theme = match self.theme {
            Theme::Dark => "dark",
            Theme::Light => "light",
        };
        vec![
            (keys::GATEWAY, gateway),
            (keys::BASE_URL, self.base_url.trim().to_owned()),
            (keys::DEFAULT_MODE, self.default_mode.as_ref().map_or("", Mode::as_str).to_owned()),
            (keys::DOWNLOAD_FOLDER, self.download_folder.trim().to_owned()),
            (keys::THEME, theme.to_owned()),
            (keys::NOTIFICATIONS, if self.notifications { "on" } else { "off" }.to_owned()),
        ]
    }

    /// The form as stored, read through `get`; `None` when no gateway was ever saved.
    pub fn from_settings(get: impl Fn(&str) -> Option<String>) -> Option<SettingsForm> {
        let gateway = match get(keys::GATEWAY)?.as_str() {
            "sim" => GatewayChoice::Simulator,
            other => GatewayChoice::Gateway(Provider::parse(other)?),
        };
        let theme = match get(keys::THEME).as_deref() {
            Some("light") => Theme::Light,
            _ => Theme::Dark,
        };
        Some(SettingsForm {
            gateway,
            base_url: get(keys::BASE_URL).unwrap_or_default(),
            api_key: String::new(),
            default_mode: get(keys::DEFAULT_MODE).filter(|m| !m.trim().is_empty()).map(|m| Mode::parse(&m)),
            download_folder: get(keys::DOWNLOAD_FOLDER).unwrap_or_default(),
            theme,
            notifications: get(keys::NOTIFICATIONS).as_deref() != Some("off"),
        })
    }

    /// The gateway these settings connect to (the key is stored separately, before).
    pub fn target(&self) -> Target {
        match self.gateway {
            GatewayChoice::Simulator => Target { simulator: true, ..Default::default() },
            GatewayChoice::Gateway(p) => Target {
                provider: Some(p),
                base_url: Some(self.base_url.trim().trim_end_matches('/').to_owned()).filter(|u| !u.is_empty()),
                ..Default::default()
            },
        }
    }

    /// The download folder, when one is set.
    pub fn download_dir(&self) -> Option<std::path::PathBuf> {
        Some(self.download_folder.trim()).filter(|f| !f.is_empty()).map(std::path::PathBuf::from)
    }
}

/// A form showing the gateway the window runs on (nothing was ever saved).
pub fn form_for(connection: &crate::connect::Connection) -> SettingsForm {
    if connection.is_simulator() {
        return SettingsForm::default();
    }
    let p = connection.provider;
    let base_url =
        if connection.base_url == p.default_base_url() { String::new() } else { connection.base_url.clone() };
    SettingsForm { gateway: GatewayChoice::Gateway(p), base_url, ..SettingsForm::default() }
}

/// The theme as egui's preference.
pub fn theme_preference(theme: Theme) -> egui::ThemePreference {
    match theme {
        Theme::Dark => egui::ThemePreference::Dark,
        Theme::Light => egui::ThemePreference::Light,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn settings_round_trip_without_the_key_and_name_their_target() {
        let form = SettingsForm {
            gateway: GatewayChoice::Gateway(Provider::Vtrix),
            base_url: "https://v.example/".into(),
            api_key: "sk-never-stored".into(),
            default_mode: Some(Mode::Turbo),
            download_folder: "/tmp/out".into(),
            theme: Theme::Light,
            notifications: false,
        };
        let pairs = form.to_settings();
        assert!(pairs.iter().all(|(_, v)| !v.contains("sk-never")), "the key is never a setting");
        let map: std::collections::HashMap<_, _> = pairs.into_iter().collect();
        let read = SettingsForm::from_settings(|n| map.get(n).cloned()).unwrap();
        assert_eq!(
            read,
            SettingsForm { api_key: String::new(), base_url: "https://v.example/".into(), ..form.clone() }
        );
        let target = form.target();
        assert_eq!((target.provider, target.base_url.as_deref()), (Some(Provider::Vtrix), Some("https://v.example")));
        assert!(SettingsForm::default().target().simulator);
        assert_eq!(SettingsForm::from_settings(|_| None), None);
    }

    #[test]
    fn validation_and_the_effective_url() {
        let mut f = SettingsForm { gateway: GatewayChoice::Gateway(Provider::Ttapi), ..Default::default() };
        assert_eq!(f.effective_base_url().as_deref(), Some("https://api.ttapi.io"));
        f.base_url = " https://proxy.example/ ".into();
        assert_eq!(f.effective_base_url().as_deref(), Some("https://proxy.example"));
        assert!(f.validate().is_ok());
        f.base_url = "http://127.0.0.1:8080".into();
        assert!(f.validate().is_ok());
        f.base_url = "http://example.com".into();
        assert!(matches!(f.validate(), Err(SettingsProblem::BaseUrl(_))));
        f.base_url.clear();
        f.api_key = "two words".into();
        assert_eq!(f.validate(), Err(SettingsProblem::KeyWhitespace));
        let sim = SettingsForm { base_url: "junk".into(), ..Default::default() };
        assert!(sim.validate().is_ok(), "the simulator ignores the URL");
        assert_eq!(sim.effective_base_url(), None);
    }
}
