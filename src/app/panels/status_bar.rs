//! The status bar: which gateway, jobs in progress against the limit, queued locally, the
//! quota spent by jobs that finished this session, and the account's balance where the
//! gateway states one.

use crate::app::state::AppState;

pub fn status_bar_ui(ui: &mut egui::Ui, state: &AppState) {
    ui.horizontal(|ui| {
        ui.label(&state.gateway);
        ui.separator();
        ui.label(format!("in progress {} / {}", state.counts.in_progress, state.limit));
        ui.separator();
        ui.label(format!("queued locally {}", state.counts.queued_locally));
        ui.separator();
        ui.label(state.session.label())
            .on_hover_text(format!("{} finished job(s) reported a cost since the window opened", state.session.jobs));
        match &state.account {
            Some(Ok(account)) => {
                ui.separator();
                ui.label(balance_label(account)).on_hover_text(
                    "The gateway account's quota: what is left, and what is held for jobs in progress. \
                     Read after jobs end, at most once a minute.",
                );
            }
            Some(Err(why)) => {
                ui.separator();
                ui.label("balance unavailable").on_hover_text(why);
            }
            None => {}
        }
        if let Some(m) = &state.message {
            ui.separator();
            // cut to the bar's width; the whole text shows on hover and to screen readers
            ui.add(egui::Label::new(egui::RichText::new(m).color(ui.visuals().warn_fg_color)).truncate());
        }
    });
}

/// `balance 97.5 · 3 held`: quota units, as the gateway counts them.
pub fn balance_label(account: &crate::gateway::Account) -> String {
    let held = if account.frozen > 0.0 { format!(" · {} held", units(account.frozen)) } else { String::new() };
    format!("balance {}{held}", units(account.balance))
}

/// A quota figure with at most two decimals and no trailing zeros.
fn units(n: f64) -> String {
    let s = format!("{n:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::session::tests::job;
    use crate::job::JobStatus;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    #[test]
    fn the_bar_shows_gateway_limits_queue_and_quota() {
        let mut state = AppState::new("TTAPI · https://api.ttapi.io".into(), 3, Vec::new());
        state.counts.in_progress = 2;
        state.counts.queued_locally = 5;
        state.session.record(&job(Some("2"), Some(i64::MAX), JobStatus::Succeeded));
        let mut h = Harness::new_ui_state(|ui, s: &mut AppState| status_bar_ui(ui, s), state);
        h.run();
        h.get_by_label("TTAPI · https://api.ttapi.io");
        h.get_by_label("in progress 2 / 3");
        h.get_by_label("queued locally 5");
        h.get_by_label("quota this session 2");
        assert!(h.query_by_label_contains("balance").is_none(), "no account read: no balance shown");
    }

    #[test]
    fn a_long_message_is_cut_to_the_bar_and_keeps_its_whole_text_for_screen_readers() {
        let mut state = AppState::new("TTAPI".into(), 10, Vec::new());
        let long = format!("Not saved: {}end", "a reason that goes on and on ".repeat(12));
        state.message = Some(long.clone());
        let mut h = Harness::builder()
            .with_size(egui::vec2(700.0, 40.0))
            .build_ui_state(|ui, s: &mut AppState| status_bar_ui(ui, s), state);
        h.run();
        let shown = h.get_by_label(&long).rect();
        assert!(shown.right() <= 700.0, "the message ends inside the bar: {shown:?}");
    }

    #[test]
    fn the_balance_and_its_held_part_show_once_read_and_a_failed_read_says_so() {
        use crate::gateway::Account;
        let mut state = AppState::new("TTAPI".into(), 10, Vec::new());
        state.account = Some(Ok(Account { balance: 97.5, frozen: 3.0, max_queue: Some(5) }));
        let mut h = Harness::new_ui_state(|ui, s: &mut AppState| status_bar_ui(ui, s), state);
        h.run();
        h.get_by_label("balance 97.5 · 3 held");
        h.state_mut().account = Some(Ok(Account { balance: 10.0, frozen: 0.0, max_queue: None }));
        h.run();
        h.get_by_label("balance 10");
        h.state_mut().account = Some(Err("the gateway did not answer within 60s".into()));
        h.run();
        h.get_by_label("balance unavailable");
    }
}
