//! The prompt box: type (parameters highlighted, in a monospace font so `--ar` reads as two
//! dashes), set parameters with the helpers, then Imagine, Enter (as on Midjourney's website;
//! Shift+Enter starts a new line) or Ctrl+Enter. Up/Down in an empty or recalled box walks the
//! history.
//!
//! The logic (validation, parameter editing, history) is in [`crate::app::panels::prompt_params`].

use egui::containers::menu::{MenuButton, MenuConfig};

use super::prompt_refs;
use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, PopupCloseBehavior};

use crate::app::command::UiCommand;
use crate::app::panels::prompt_params::PromptForm;
use crate::app::panels::prompt_params::{self as params, AR_PRESETS, Model, PromptProblem};
use crate::app::panels::prompt_syntax::{SpanKind, tokenize};
use crate::imageio::MAX_PROMPT_CHARS;
use crate::job::Mode;

/// The prompt box's widget id (for focus and the caret).
pub fn prompt_id() -> egui::Id {
    egui::Id::unique("mjdesk.prompt")
}

/// The colours of a prompt's parts on this theme: text, parameter name, parameter value.
fn prompt_colours(visuals: &egui::Visuals) -> [Color32; 3] {
    if visuals.dark_mode {
        [visuals.text_color(), Color32::from_rgb(110, 170, 255), Color32::from_rgb(235, 185, 95)]
    } else {
        [visuals.text_color(), Color32::from_rgb(25, 90, 200), Color32::from_rgb(160, 85, 0)]
    }
}

/// A prompt laid out as Midjourney syntax: monospace (so `--` stays two dashes) with
/// parameter names and values in their own colours. Used by the prompt box, the job view and
/// the job list.
pub fn prompt_layout_job(style: &egui::Style, text: &str, wrap_width: f32) -> LayoutJob {
    let font = egui::TextStyle::Monospace.resolve(style);
    let [plain, name, value] = prompt_colours(&style.visuals);
    let mut job = LayoutJob::default();
    for span in tokenize(text) {
        let color = match span.kind {
            SpanKind::Text | SpanKind::Space => plain,
            SpanKind::Name => name,
            SpanKind::Value => value,
        };
        job.append(&text[span.range], 0.0, TextFormat::simple(font.clone(), color));
    }
    job.wrap.max_width = wrap_width;
    job
}

/// A read-only prompt label in the same syntax colours; `max_rows` (if any) elides the rest.
pub fn prompt_label(ui: &egui::Ui, text: &str, max_rows: Option<usize>) -> egui::Label {
    let mut job = prompt_layout_job(ui.style(), text, ui.available_width());
    if let Some(rows) = max_rows {
        job.wrap.max_rows = rows;
        job.wrap.break_anywhere = false;
    }
    egui::Label::new(job)
}

/// Why Imagine is disabled for the box's current text, if it is.
pub fn imagine_blocked(prompt: &str) -> Option<PromptProblem> {
    params::validate(prompt).err()
}

/// Why the box's Imagine cannot run now: its text's problem, or one already on its way.
pub fn imagine_unavailable(form: &PromptForm) -> Option<String> {
    let pending = form.submission.is_pending().then(|| "an Imagine is on its way".to_owned());
    imagine_blocked(&form.text).map(|p| p.to_string()).or(pending)
}

/// Removes a press of Enter with no modifier from this pass's events, saying whether there
/// was one. (`consume_key` with no modifiers would take Shift+Enter too.)
fn take_plain_enter(input: &mut egui::InputState) -> bool {
    let before = input.events.len();
    input.events.retain(|e| {
        !matches!(e, egui::Event::Key { key: egui::Key::Enter, pressed: true, modifiers, .. } if modifiers.is_none())
    });
    input.events.len() != before
}

/// The box's Imagine (its button, Ctrl+Enter, the command palette): the command for its
/// text, kept in the history; `None` while it cannot run.
pub fn imagine(form: &mut PromptForm) -> Option<UiCommand> {
    if imagine_unavailable(form).is_some() {
        return None;
    }
    let prompt = form.text.trim().to_owned();
    form.history.push(&prompt);
    form.awaiting = Some(prompt.clone());
    Some(UiCommand::Imagine { prompt })
}

pub fn prompt_panel_ui(ui: &mut egui::Ui, form: &mut PromptForm, commands: &mut Vec<UiCommand>) {
    // A blinking caret repaints the whole window twice a second: the caret stays still.
    ui.visuals_mut().text_cursor.blink = false;
    let id = prompt_id();
    history_keys(ui, form, id);
    let problem = imagine_blocked(&form.text);
    let mut submit = false;
    ui.horizontal(|ui| {
        let label = ui.label("Prompt");
        let mut layouter = |ui: &egui::Ui, buf: &dyn egui::TextBuffer, wrap_width: f32| {
            ui.fonts_mut(|f| f.layout_job(prompt_layout_job(ui.style(), buf.as_str(), wrap_width)))
        };
        let edit = egui::TextEdit::multiline(&mut form.text)
            .id(id)
            .desired_rows(2)
            .desired_width(ui.available_width() - 190.0)
            .hint_text(egui::RichText::new("a red fox in the snow --ar 3:2").monospace())
            .layouter(&mut layouter);
        // Taken before the box sees it, or the box would put a new line in first.
        let enter = ui.memory(|m| m.has_focus(id)) && ui.input_mut(take_plain_enter);
        let response = ui.add(edit).labelled_by(label.id);
        if let Some(image) = response.dnd_release_payload::<prompt_refs::DraggedImage>() {
            form.dropped = Some((*image).clone());
        }
        if response.changed() {
            form.history.reset();
        }
        // The event's own modifiers, not the state at the end of the frame: a quick Ctrl+Enter
        // can press and release Ctrl within one frame.
        let ctrl_enter =
            response.has_focus() && ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter));
        ui.vertical(|ui| {
            let clicked = ui
                .add_enabled(problem.is_none() && !form.submission.is_pending(), egui::Button::new("Imagine"))
                .on_hover_text("Enter or Ctrl+Enter (Shift+Enter starts a new line)")
                .on_disabled_hover_text(problem.as_ref().map(ToString::to_string).unwrap_or_default())
                .clicked();
            submit = clicked || ctrl_enter || enter;
            let count = form.text.chars().count();
            let text = egui::RichText::new(format!("{count} / {MAX_PROMPT_CHARS}")).small();
            ui.label(if count > MAX_PROMPT_CHARS { text.color(ui.visuals().error_fg_color) } else { text });
            mode_ui(ui, &mut form.mode);
        });
    });
    match &problem {
        None | Some(PromptProblem::Empty) => {}
        Some(p) => {
            ui.colored_label(ui.visuals().warn_fg_color, p.to_string());
        }
    }
    if let Some(reason) = form.refusal() {
        ui.colored_label(ui.visuals().error_fg_color, format!("Refused: {reason}"));
    }
    if let Some(text) = prompt_refs::dropped_ui(ui, &mut form.dropped, &form.text) {
        form.text = text;
    }
    ui.horizontal_wrapped(|ui| helpers_ui(ui, form, commands));
    if submit && let Some(imagine) = imagine(form) {
        commands.push(imagine);
    }
}

/// Up/Down in the focused box while it is empty or still shows a recalled prompt.
fn history_keys(ui: &mut egui::Ui, form: &mut PromptForm, id: egui::Id) {
    if !ui.memory(|m| m.has_focus(id)) {
        return;
    }
    let none = egui::Modifiers::NONE;
    let recalled = if ui.input(|i| i.key_pressed(egui::Key::ArrowUp) && i.modifiers.is_none()) {
        form.history.older(&form.text).map(str::to_owned).inspect(|_| {
            ui.input_mut(|i| i.consume_key(none, egui::Key::ArrowUp));
        })
    } else if ui.input(|i| i.key_pressed(egui::Key::ArrowDown) && i.modifiers.is_none()) {
        form.history.newer(&form.text).map(str::to_owned).inspect(|_| {
            ui.input_mut(|i| i.consume_key(none, egui::Key::ArrowDown));
        })
    } else {
        None
    };
    if let Some(text) = recalled {
        form.text = text;
        caret_to_end(ui.ctx(), id, &form.text);
    }
}

fn caret_to_end(ctx: &egui::Context, id: egui::Id, text: &str) {
    if let Some(mut s) = egui::text_edit::TextEditState::load(ctx, id) {
        let end = egui::text::CCursor::new(text.chars().count());
        s.cursor.set_char_range(Some(egui::text::CCursorRange::one(end)));
        s.store(ctx, id);
    }
}

fn mode_ui(ui: &mut egui::Ui, mode: &mut Option<Mode>) {
    ui.horizontal(|ui| {
        for (m, name) in [(Mode::Fast, "Fast"), (Mode::Relax, "Relax"), (Mode::Turbo, "Turbo")] {
            let selected = mode.as_ref() == Some(&m);
            let hover = if selected { "Click again for the gateway's default mode" } else { "Generation mode" };
            if ui.selectable_label(selected, name).on_hover_text(hover).clicked() {
                *mode = if selected { None } else { Some(m) };
            }
        }
    });
}

/// A closing behaviour for menus holding text fields: a click inside must not close them.
fn sticky() -> MenuConfig {
    MenuConfig::new().close_behavior(PopupCloseBehavior::CloseOnClickOutside)
}

/// One helper field: label, text field (named like the label) and a button that writes.
fn field_row(ui: &mut egui::Ui, label: &str, hint: &str, draft: &mut String, button: &str) -> bool {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        let r = ui.add(egui::TextEdit::singleline(draft).hint_text(hint).desired_width(160.0)).labelled_by(l.id);
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.add_enabled(!draft.trim().is_empty(), egui::Button::new(button)).clicked() || enter
    })
    .inner
}

/// Parameter helpers: each writes `--name value` into the text (replacing one already there).
const FIELDS: [(&str, &str, &str); 7] = [
    ("s", "Stylize (--s)", "0-1000"),
    ("c", "Chaos (--c)", "0-100"),
    ("w", "Weird (--w)", "0-3000"),
    ("seed", "Seed (--seed)", "0-4294967295"),
    ("no", "Exclude (--no)", "cars, trees"),
    ("sref", "Style reference (--sref)", "URL or code"),
    ("cref", "Character reference (--cref)", "image URL"),
];

fn helpers_ui(ui: &mut egui::Ui, form: &mut PromptForm, commands: &mut Vec<UiCommand>) {
    let prompt = &mut form.text;
    let _ = MenuButton::new("Aspect ratio").config(sticky()).ui(ui, |ui| {
        ui.horizontal(|ui| {
            for preset in AR_PRESETS {
                if ui.button(preset).on_hover_text(format!("--ar {preset}")).clicked() {
                    *prompt = params::set_param(prompt, "ar", preset);
                    ui.close();
                }
            }
        });
        let valid = params::parse_ratio(&form.custom_ar).is_some();
        let set = field_row(ui, "Custom aspect ratio", "W:H", &mut form.custom_ar, "Set --ar");
        if set && valid {
            *prompt = params::set_param(prompt, "ar", form.custom_ar.trim());
            ui.close();
        } else if !form.custom_ar.trim().is_empty() && !valid {
            ui.colored_label(ui.visuals().warn_fg_color, "Write it as W:H, e.g. 21:9");
        }
        if ui.button("Remove --ar").clicked() {
            *prompt = params::remove_param(prompt, "ar");
            ui.close();
        }
    });
    ui.menu_button("Version", |ui| {
        let models = [
            ("--v 7", Model::V("7".into())),
            ("--v 6.1", Model::V("6.1".into())),
            ("--v 6", Model::V("6".into())),
            ("--niji 6", Model::Niji("6".into())),
            ("--niji 5", Model::Niji("5".into())),
        ];
        for (label, model) in models {
            if ui.button(label).clicked() {
                *prompt = params::set_model(prompt, &model);
                ui.close();
            }
        }
        if ui.button("Gateway default").clicked() {
            *prompt = params::remove_param(&params::remove_param(prompt, "v"), "niji");
            ui.close();
        }
    });
    let _ = MenuButton::new("Parameters").config(sticky()).ui(ui, |ui| {
        for (name, label, hint) in FIELDS {
            let draft = form.drafts.entry(name).or_default();
            if field_row(ui, label, hint, draft, &format!("Set --{name}")) {
                *prompt = params::set_param(prompt, name, draft);
                draft.clear();
            }
        }
        let draft = form.drafts.entry("image").or_default();
        if field_row(ui, "Image URL", "https://…", draft, "Add image URL") {
            *prompt = params::add_image_url(prompt, draft);
            draft.clear();
        }
    });
    if ui.button("Settings").clicked() {
        commands.push(UiCommand::ToggleSettings);
    }
    let history = &mut form.history;
    ui.add_enabled_ui(!history.entries().is_empty(), |ui| {
        ui.menu_button("History", |ui| {
            let mut picked = None;
            egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
                for entry in history.entries().iter().take(200) {
                    let short: String = entry.chars().take(90).collect();
                    let button = egui::Button::new(prompt_layout_job(ui.style(), &short, f32::INFINITY));
                    if ui.add(button).on_hover_text(entry).clicked() {
                        picked = Some(entry.clone());
                    }
                }
            });
            if let Some(p) = picked {
                *prompt = p;
                history.reset();
                ui.close();
            }
        })
    });
}

#[cfg(test)]
mod tests;
