//! Settings: which gateway, its base URL and API key (masked), the default mode, the download
//! folder, the theme and desktop notifications. The panel edits a plain [`SettingsForm`] and sends
//! [`UiCommand::SaveSettings`]; storing the key (keyring or the 0600 file, never the
//! database) and reconnecting is the app's work.

use crate::app::command::UiCommand;
use crate::app::settings_form::{GatewayChoice, SettingsForm, Theme};
use crate::job::Mode;

/// The panel's state: open or not, and the form being edited.
#[derive(Debug, Clone, Default)]
pub struct SettingsUi {
    pub open: bool,
    pub form: SettingsForm,
    /// The settings in force (without the key): what Cancel goes back to.
    saved: SettingsForm,
    /// What the gateway said about the key, shown at the top (a refused key opens Settings).
    pub notice: Option<String>,
}

impl SettingsUi {
    /// The settings in force (their key left out): the form shows them, and Cancel returns
    /// to them.
    pub fn show_saved(&mut self, form: SettingsForm) {
        self.saved = form.clone();
        self.form = form;
    }

    /// Closes without saving: what was typed (a key too) is dropped.
    pub fn cancel(&mut self) {
        self.form = self.saved.clone();
        self.open = false;
    }

    /// A gateway refused the key: Settings opens with the gateway's words.
    pub fn key_refused(&mut self, said: &str) {
        self.open = true;
        self.notice = Some(format!("The gateway refused the key: {said}"));
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
        ui.label("Notifications");
        ui.checkbox(&mut form.notifications, "Desktop notifications")
            .on_hover_text("When jobs end while mjdesk is in the background; several ending together share one");
        ui.end_row();
    });
    if form.gateway == GatewayChoice::Simulator {
        ui.weak("The simulator makes pictures locally and spends nothing. Pick a gateway and paste its key to use Midjourney.");
    }
    let problem = form.validate().err();
    if let Some(p) = &problem {
        ui.colored_label(ui.visuals().warn_fg_color, p.to_string());
    }
    let mut cancelled = false;
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
        cancelled = ui.button("Cancel").clicked();
    });
    if cancelled {
        settings.cancel();
    }
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
        // Held by its top: centred, it moved whenever its height changed (choosing a gateway
        // hides or shows a row), and a click aimed at the key field landed on the base URL.
        .pivot(egui::Align2::CENTER_TOP)
        .default_pos({
            let screen = ctx.content_rect();
            egui::pos2(screen.center().x, screen.top() + screen.height() * 0.2)
        })
        .show(ctx, |ui| settings_form_ui(ui, settings, commands));
    if !open {
        settings.cancel();
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::Provider;
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    type S = (SettingsUi, Vec<UiCommand>);

    fn harness() -> Harness<'static, S> {
        let ui_state = SettingsUi { open: true, ..Default::default() };
        Harness::new_ui_state(|ui, (s, cmds): &mut S| settings_form_ui(ui, s, cmds), (ui_state, Vec::new()))
    }

    fn click(h: &mut Harness<'static, S>, label: &str) {
        h.get_by_label(label).click();
        h.run();
    }

    fn type_in(h: &mut Harness<'static, S>, label: &str, text: &str) {
        h.get_by_label(label).focus();
        h.run();
        h.get_by_label(label).type_text(text);
        h.run();
    }

    #[test]
    fn switching_the_gateway_and_saving_sends_the_form_with_the_key() {
        let mut h = harness();
        h.run();
        click(&mut h, "AceData");
        type_in(&mut h, "API key", "sk-secret");
        click(&mut h, "Light");
        click(&mut h, "Desktop notifications");
        click(&mut h, "Save");
        let (ui_state, cmds) = h.state();
        let Some(UiCommand::SaveSettings(form)) = cmds.last() else { panic!("{cmds:?}") };
        assert_eq!(form.gateway, GatewayChoice::Gateway(Provider::Acedata));
        assert_eq!(form.api_key, "sk-secret");
        assert_eq!(form.theme, Theme::Light);
        assert!(!form.notifications, "on by default, turned off");
        assert_eq!(form.effective_base_url().as_deref(), Some("https://api.acedata.cloud"));
        assert!(ui_state.form.api_key.is_empty(), "the key does not linger in the form");
        assert!(!ui_state.open);
        assert!(!format!("{cmds:?}").contains("sk-secret"), "the key never shows in Debug");
    }

    #[test]
    fn cancel_drops_what_was_typed_and_the_form_shows_the_saved_settings_again() {
        let mut h = harness();
        let saved = SettingsForm { theme: Theme::Light, ..Default::default() };
        h.state_mut().0.show_saved(saved.clone());
        h.run();
        click(&mut h, "TTAPI");
        type_in(&mut h, "API key", "tt-typed-then-cancelled");
        click(&mut h, "Dark");
        click(&mut h, "Cancel");
        let (ui_state, cmds) = h.state();
        assert!(cmds.is_empty(), "nothing saved: {cmds:?}");
        assert!(!ui_state.open);
        assert_eq!(ui_state.form, saved, "the form is the saved one again");
        assert!(ui_state.form.api_key.is_empty(), "the typed key does not linger");
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
    fn a_refused_key_opens_settings_with_the_gateways_words() {
        let mut s = SettingsUi::default();
        assert!(!s.open);
        let error = crate::error::GatewayError::Invalid("invalid api key".into());
        s.key_refused(&error.to_string());
        assert!(s.open);
        let notice = s.notice.as_deref().unwrap();
        assert!(notice.contains("invalid api key"), "{notice}");
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
}
