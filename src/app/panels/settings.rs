//! Settings: which gateway, its base URL and API key (masked), the default mode, the download
//! folder and the theme. The panel edits a plain [`SettingsForm`] and sends
//! [`UiCommand::SaveSettings`]; storing the key (keyring or the 0600 file, never the
//! database) and reconnecting is the app's work.

use std::fmt;

use crate::app::state::UiCommand;
use crate::job::{Mode, Provider};

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
    pub const ALL: [&str; 5] = [GATEWAY, BASE_URL, DEFAULT_MODE, DOWNLOAD_FOLDER, THEME];
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
        })
    }

    /// The gateway these settings connect to (the key is stored separately, before).
    pub fn target(&self) -> crate::app::Target {
        match self.gateway {
            GatewayChoice::Simulator => crate::app::Target { simulator: true, ..Default::default() },
            GatewayChoice::Gateway(p) => crate::app::Target {
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

/// The panel's state: open or not, and the form being edited.
#[derive(Debug, Clone, Default)]
pub struct SettingsUi {
    pub open: bool,
    pub form: SettingsForm,
    /// What the gateway said about the key, shown at the top (a refused key opens Settings).
    pub notice: Option<String>,
}

/// The `Settings` button that opens the panel.
pub fn settings_button(ui: &mut egui::Ui, settings: &mut SettingsUi) {
    if ui.button("Settings").clicked() {
        settings.open = !settings.open;
    }
}

/// What the window says on the built-in simulator, in so many words.
pub const SIMULATOR_NOTICE: &str = "You are on the built-in simulator: images are made here, no gateway is called. \
Add your TTAPI, AceData or Vtrix key in Settings.";

/// The banner on top of the job view while the window runs on the simulator, with a button
/// that opens Settings.
pub fn simulator_banner_ui(ui: &mut egui::Ui, settings: &mut SettingsUi) {
    egui::Frame::group(ui.style()).fill(ui.visuals().faint_bg_color).show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.label(egui::RichText::new(SIMULATOR_NOTICE).color(ui.visuals().warn_fg_color));
            if ui.button("Open Settings").clicked() {
                settings.open = true;
            }
        });
    });
    ui.add_space(6.0);
}

/// The form itself; `Save` sends [`UiCommand::SaveSettings`].
pub fn settings_form_ui(ui: &mut egui::Ui, settings: &mut SettingsUi, commands: &mut Vec<UiCommand>) {
    ui.visuals_mut().text_cursor.blink = false;
    if let Some(n) = &settings.notice {
        ui.colored_label(ui.visuals().error_fg_color, n);
    }
    let form = &mut settings.form;
    egui::Grid::new("settings").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
        ui.label("Gateway");
        ui.horizontal(|ui| {
            for choice in GatewayChoice::ALL {
                // Each gateway speaks its own protocol: a URL typed for one is not the next's.
                if ui.selectable_value(&mut form.gateway, choice, choice.label()).changed() {
                    form.base_url.clear();
                }
            }
        });
        ui.end_row();
        let gateway = match form.gateway {
            GatewayChoice::Gateway(p) => Some(p),
            GatewayChoice::Simulator => None,
        };
        let l = ui.label("Base URL");
        let hint = gateway.map_or("", |p| p.default_base_url());
        let edit = egui::TextEdit::singleline(&mut form.base_url).hint_text(hint).desired_width(320.0);
        ui.add_enabled(gateway.is_some(), edit).labelled_by(l.id);
        ui.end_row();
        let l = ui.label("API key");
        let hint = gateway.map_or("not needed for the simulator".to_owned(), |p| {
            format!("leave empty to keep the stored key (or set {})", p.key_env())
        });
        let edit = egui::TextEdit::singleline(&mut form.api_key).password(true).hint_text(hint).desired_width(320.0);
        ui.add_enabled(gateway.is_some(), edit).labelled_by(l.id);
        ui.end_row();
        if let Some(p) = gateway.filter(|p| std::env::var_os(p.key_env()).is_some_and(|v| !v.is_empty())) {
            ui.label("");
            ui.weak(format!(
                "{} is set in the environment: mjdesk starts with that key; a key saved here is used from now until it closes",
                p.key_env()
            ));
            ui.end_row();
        }
        ui.label("Default mode");
        ui.horizontal(|ui| {
            ui.selectable_value(&mut form.default_mode, None, "Gateway default");
            ui.selectable_value(&mut form.default_mode, Some(Mode::Fast), "Fast");
            ui.selectable_value(&mut form.default_mode, Some(Mode::Relax), "Relax");
            ui.selectable_value(&mut form.default_mode, Some(Mode::Turbo), "Turbo");
        });
        ui.end_row();
        let l = ui.label("Download folder");
        let edit = egui::TextEdit::singleline(&mut form.download_folder)
            .hint_text("your Downloads folder")
            .desired_width(320.0);
        ui.add(edit).labelled_by(l.id);
        ui.end_row();
        ui.label("Theme");
        ui.horizontal(|ui| {
            ui.selectable_value(&mut form.theme, Theme::Dark, "Dark");
            ui.selectable_value(&mut form.theme, Theme::Light, "Light");
        });
        ui.end_row();
    });
    if form.gateway == GatewayChoice::Simulator {
        ui.weak("The simulator makes pictures locally and spends nothing. Pick a gateway and paste its key to use Midjourney.");
    }
    let problem = form.validate().err();
    if let Some(p) = &problem {
        ui.colored_label(ui.visuals().warn_fg_color, p.to_string());
    }
    ui.horizontal(|ui| {
        if ui.add_enabled(problem.is_none(), egui::Button::new("Save")).clicked() {
            let mut saved = form.clone();
            saved.base_url = saved.base_url.trim().to_owned();
            saved.api_key = saved.api_key.trim().to_owned();
            commands.push(UiCommand::SaveSettings(Box::new(saved)));
            form.api_key.clear();
            settings.notice = None;
            settings.open = false;
        }
        if ui.button("Cancel").clicked() {
            settings.open = false;
        }
    });
}

/// The panel as a window over the app while open.
pub fn settings_window(ctx: &egui::Context, settings: &mut SettingsUi, commands: &mut Vec<UiCommand>) {
    if !settings.open {
        return;
    }
    let mut open = true;
    egui::Window::new("Settings ")
        .id(egui::Id::unique("mjdesk.settings"))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .show(ctx, |ui| settings_form_ui(ui, settings, commands));
    if !open {
        settings.open = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    type S = (SettingsUi, Vec<UiCommand>);

    fn harness() -> Harness<'static, S> {
        let ui_state = SettingsUi { open: true, ..Default::default() };
        Harness::new_ui_state(|ui, (s, cmds): &mut S| settings_form_ui(ui, s, cmds), (ui_state, Vec::new()))
    }

    #[test]
    fn switching_the_gateway_and_saving_sends_the_form_with_the_key() {
        let mut h = harness();
        h.run();
        h.get_by_label("AceData").click();
        h.run();
        h.get_by_label("API key").focus();
        h.run();
        h.get_by_label("API key").type_text("sk-secret");
        h.run();
        h.get_by_label("Light").click();
        h.run();
        h.get_by_label("Save").click();
        h.run();
        let (ui_state, cmds) = h.state();
        let Some(UiCommand::SaveSettings(form)) = cmds.last() else { panic!("{cmds:?}") };
        assert_eq!(form.gateway, GatewayChoice::Gateway(Provider::Acedata));
        assert_eq!(form.api_key, "sk-secret");
        assert_eq!(form.theme, Theme::Light);
        assert_eq!(form.effective_base_url().as_deref(), Some("https://api.acedata.cloud"));
        assert!(ui_state.form.api_key.is_empty(), "the key does not linger in the form");
        assert!(!ui_state.open);
        assert!(!format!("{cmds:?}").contains("sk-secret"), "the key never shows in Debug");
    }

    #[test]
    fn another_gateway_starts_from_its_own_default_url() {
        let mut h = harness();
        h.state_mut().0.form = SettingsForm {
            gateway: GatewayChoice::Gateway(Provider::Ttapi),
            base_url: "http://127.0.0.1:9".into(),
            ..Default::default()
        };
        h.run();
        h.get_by_label("AceData").click();
        h.run();
        assert_eq!(h.state().0.form.base_url, "");
        assert_eq!(h.state().0.form.effective_base_url().as_deref(), Some("https://api.acedata.cloud"));
        h.get_by_label("AceData").click();
        h.run();
        h.get_by_label("Base URL").focus();
        h.run();
        h.get_by_label("Base URL").type_text("https://proxy.example");
        h.run();
        h.get_by_label("AceData").click();
        h.run();
        assert_eq!(h.state().0.form.base_url, "https://proxy.example", "clicking the chosen gateway again keeps it");
    }

    #[test]
    fn the_key_field_is_masked_and_a_bad_url_blocks_saving() {
        let mut h = harness();
        h.run();
        h.get_by_label("TTAPI").click();
        h.run();
        h.get_by_label("API key").focus();
        h.run();
        h.get_by_label("API key").type_text("abc");
        h.run();
        assert_ne!(h.get_by_label("API key").value().as_deref(), Some("abc"), "masked");
        h.get_by_label("Base URL").focus();
        h.run();
        h.get_by_label("Base URL").type_text("ftp://example.com");
        h.run();
        assert!(h.get_by_label("Save").accesskit_node().is_disabled());
        h.get_by_label_contains("must start with https://");
    }

    #[test]
    fn settings_round_trip_without_the_key_and_name_their_target() {
        let form = SettingsForm {
            gateway: GatewayChoice::Gateway(Provider::Vtrix),
            base_url: "https://v.example/".into(),
            api_key: "sk-never-stored".into(),
            default_mode: Some(Mode::Turbo),
            download_folder: "/tmp/out".into(),
            theme: Theme::Light,
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
    fn the_simulator_banner_says_so_and_opens_settings() {
        let mut h = Harness::new_ui_state(|ui, s: &mut SettingsUi| simulator_banner_ui(ui, s), SettingsUi::default());
        h.run();
        h.get_by_label_contains("You are on the built-in simulator");
        h.get_by_label("Open Settings").click();
        h.run();
        assert!(h.state().open);
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
