//! A result dragged onto the prompt: the designer picks how the prompt uses it, as an image
//! prompt (its link first in the prompt) or as a style, character or omni reference
//! (`--sref`, `--cref`, `--oref` with its link). Midjourney fetches the link itself, so a link
//! the gateway no longer serves is refused with the reason instead of being written in.

/// What a picture in the job view carries while it is dragged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraggedImage {
    /// The gateway's link to the image.
    pub url: String,
    /// Why the link no longer works, when that is known.
    pub expired: Option<String>,
}

impl DraggedImage {
    /// The image at `url`, its download error (if any) and its link's stated expiry read now.
    pub fn of(url: &str, download_error: Option<&str>, now_secs: u64) -> Self {
        let expired = match download_error {
            Some(e) => Some(format!("its link no longer works ({})", crate::textsafe::line(e, 120))),
            None => link_expiry(url)
                .filter(|at| *at <= now_secs)
                .map(|_| "its link has expired (the gateway's image links last about a day)".to_owned()),
        };
        Self { url: url.to_owned(), expired }
    }
}

/// When a Discord-style CDN link (Midjourney's, and the gateways' copies of them) stops
/// working: the `ex` query value, a Unix time in hexadecimal. None when the link states none.
pub fn link_expiry(url: &str) -> Option<u64> {
    let query = url::Url::parse(url).ok()?;
    let ex = query.query_pairs().find(|(k, _)| k == "ex")?.1;
    u64::from_str_radix(&ex, 16).ok()
}

/// How the prompt uses a dropped image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefUse {
    ImagePrompt,
    Style,
    Character,
    Omni,
}

impl RefUse {
    pub const ALL: [RefUse; 4] = [RefUse::ImagePrompt, RefUse::Style, RefUse::Character, RefUse::Omni];

    /// The button's name.
    pub fn label(self) -> &'static str {
        match self {
            RefUse::ImagePrompt => "Image prompt",
            RefUse::Style => "Style reference (--sref)",
            RefUse::Character => "Character reference (--cref)",
            RefUse::Omni => "Omni reference (--oref)",
        }
    }

    fn flag(self) -> Option<&'static str> {
        match self {
            RefUse::ImagePrompt => None,
            RefUse::Style => Some("--sref"),
            RefUse::Character => Some("--cref"),
            RefUse::Omni => Some("--oref"),
        }
    }

    /// `prompt` using `url` this way: an image prompt goes first (Midjourney reads links at
    /// the start as image prompts); a reference joins its flag's links when the prompt already
    /// has that flag, else is added at the end.
    pub fn apply(self, prompt: &str, url: &str) -> String {
        let prompt = prompt.trim();
        let Some(flag) = self.flag() else {
            return if prompt.is_empty() { url.to_owned() } else { format!("{url} {prompt}") };
        };
        let words: Vec<&str> = prompt.split_whitespace().collect();
        match words.iter().position(|w| *w == flag) {
            Some(at) => {
                // after the flag's last link (the words up to the next parameter)
                let end = words[at + 1..].iter().position(|w| w.starts_with("--")).map_or(words.len(), |n| at + 1 + n);
                let mut out: Vec<&str> = words[..end].to_vec();
                out.push(url);
                out.extend_from_slice(&words[end..]);
                out.join(" ")
            }
            None if prompt.is_empty() => format!("{flag} {url}"),
            None => format!("{prompt} {flag} {url}"),
        }
    }
}

/// Under the prompt while an image waits to be placed: how to use it, or why it cannot be.
/// Returns the prompt to put in the box once the designer chose.
pub fn dropped_ui(ui: &mut egui::Ui, dropped: &mut Option<DraggedImage>, prompt: &str) -> Option<String> {
    let image = dropped.as_ref()?;
    let mut out = None;
    let mut close = false;
    ui.horizontal_wrapped(|ui| {
        match &image.expired {
            Some(why) => {
                ui.colored_label(ui.visuals().warn_fg_color, format!("That image cannot be used: {why}."));
            }
            None => {
                ui.label("Use the dropped image as");
                for use_as in RefUse::ALL {
                    if ui.button(use_as.label()).clicked() {
                        out = Some(use_as.apply(prompt, &image.url));
                    }
                }
            }
        }
        close = ui.button("Dismiss").on_hover_text("Leave the prompt as it is").clicked();
    });
    if out.is_some() || close {
        *dropped = None;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://cdn.example/a.png";

    #[test]
    fn an_image_prompt_goes_first_and_references_join_their_flag() {
        assert_eq!(RefUse::ImagePrompt.apply(" a fox --ar 3:2 ", URL), format!("{URL} a fox --ar 3:2"));
        assert_eq!(RefUse::ImagePrompt.apply("", URL), URL);
        assert_eq!(RefUse::Style.apply("a fox --ar 3:2", URL), format!("a fox --ar 3:2 --sref {URL}"));
        assert_eq!(RefUse::Character.apply("", URL), format!("--cref {URL}"));
        assert_eq!(
            RefUse::Style.apply("a fox --sref https://x/1.png https://x/2.png --ar 3:2", URL),
            format!("a fox --sref https://x/1.png https://x/2.png {URL} --ar 3:2"),
            "a second style reference joins the first"
        );
        assert_eq!(
            RefUse::Omni.apply("a fox --oref https://x/1.png", URL),
            format!("a fox --oref https://x/1.png {URL}")
        );
    }

    #[test]
    fn a_link_past_its_stated_expiry_or_that_failed_to_download_is_refused() {
        // ex=65c35b69 is 2024-02-07
        let discord = "https://cdn.discordapp.com/attachments/1/2/a.png?ex=65c35b69&is=65b0e669&hm=2d";
        assert_eq!(link_expiry(discord), Some(0x65c35b69));
        assert!(DraggedImage::of(discord, None, 0x65c35b69 + 1).expired.unwrap().contains("expired"));
        assert_eq!(DraggedImage::of(discord, None, 0x65c35b69 - 60).expired, None, "still served");
        assert_eq!(link_expiry(URL), None);
        assert_eq!(DraggedImage::of(URL, None, u64::MAX).expired, None, "a link that states no expiry");
        let failed = DraggedImage::of(URL, Some("cdn.example answered 403 Forbidden"), 0);
        assert!(failed.expired.unwrap().contains("403"), "the download's own words");
    }

    #[test]
    fn choosing_a_use_writes_the_prompt_and_an_expired_image_offers_none() {
        let mut dropped = Some(DraggedImage { url: URL.into(), expired: None });
        let mut h = egui_kittest::Harness::new_ui_state(
            |ui, s: &mut (Option<DraggedImage>, Option<String>)| {
                if let Some(p) = dropped_ui(ui, &mut s.0, "a fox") {
                    s.1 = Some(p);
                }
            },
            (dropped.take(), None),
        );
        h.run();
        use egui_kittest::kittest::Queryable;
        h.get_by_label("Style reference (--sref)").click();
        h.run();
        assert_eq!(h.state().1.as_deref(), Some(format!("a fox --sref {URL}").as_str()));
        assert!(h.state().0.is_none(), "the choice is made once");
        h.state_mut().0 = Some(DraggedImage { url: URL.into(), expired: Some("its link has expired".into()) });
        h.run();
        assert!(h.query_by_label("Image prompt").is_none());
        h.get_by_label_contains("its link has expired");
        h.get_by_label("Dismiss").click();
        h.run();
        assert!(h.state().0.is_none());
    }
}
