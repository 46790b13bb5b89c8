//! Keeps decoded images and their textures bounded: each image URI the window draws is
//! noted with the frame it was drawn in; past a cap, the least recently drawn are forgotten
//! (`ctx.forget_image`), so scrolling through thousands of thumbnails or opening many full
//! images does not grow memory without end.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How many thumbnails and how many full images stay as textures. Measured with
/// `benches/window-memory.sh` (1,000 thumbnails scrolled, 100 full images opened): with 400
/// and 24 the window grew to 687 MB. A 1024 px grid costs 4 MB as a texture, a 2048 px one
/// (Midjourney's) 16 MB, a thumbnail 256 kB; 150 thumbnails is a dozen screens of the list to
/// scroll back through, and the last six jobs opened come back without a reload.
pub const THUMB_CAP: usize = 150;
pub const FULL_CAP: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Thumb,
    Full,
}

/// URIs by the frame they were last drawn in. Plain data: tested without egui.
#[derive(Debug, Default)]
pub struct ImageLru {
    frame: u64,
    last: HashMap<String, (Class, u64)>,
}

impl ImageLru {
    pub fn touch(&mut self, uri: &str, class: Class) {
        match self.last.get_mut(uri) {
            Some(entry) => *entry = (class, self.frame),
            None => {
                self.last.insert(uri.to_owned(), (class, self.frame));
            }
        }
    }

    /// Ends a frame: returns the URIs to forget so that at most `cap(class)` of each class
    /// stay, least recently drawn first; images drawn this frame are never forgotten.
    pub fn end_frame(&mut self, cap: impl Fn(Class) -> usize) -> Vec<String> {
        let mut evicted = Vec::new();
        for class in [Class::Thumb, Class::Full] {
            let mut of: Vec<(&String, u64)> =
                self.last.iter().filter(|(_, (c, _))| *c == class).map(|(u, (_, f))| (u, *f)).collect();
            let over = of.len().saturating_sub(cap(class));
            if over == 0 {
                continue;
            }
            of.sort_by_key(|(_, f)| *f);
            evicted.extend(of.into_iter().take(over).filter(|(_, f)| *f != self.frame).map(|(u, _)| u.clone()));
        }
        for uri in &evicted {
            self.last.remove(uri);
        }
        self.frame += 1;
        evicted
    }

    pub fn len(&self) -> usize {
        self.last.len()
    }

    pub fn is_empty(&self) -> bool {
        self.last.is_empty()
    }
}

fn shared(ctx: &egui::Context) -> Arc<Mutex<ImageLru>> {
    ctx.data_mut(|d| d.get_temp_mut_or_default::<Arc<Mutex<ImageLru>>>(egui::Id::unique("mjdesk.image_lru")).clone())
}

/// Keeps only the texture of a loaded image: egui's loaders drop the file's bytes and the
/// decoded pixels once it is uploaded (reloading after an eviction reads the file again).
pub fn keep_textures_only(ctx: &egui::Context) {
    ctx.options_mut(|o| o.reduce_texture_memory = true);
}

/// Notes that `uri` is drawn this frame.
pub fn touch(ctx: &egui::Context, uri: &str, class: Class) {
    shared(ctx).lock().unwrap_or_else(std::sync::PoisonError::into_inner).touch(uri, class);
}

/// Forgets the images drawn least recently beyond the caps. Call once per frame, after drawing.
pub fn end_frame(ctx: &egui::Context) {
    let evicted = shared(ctx).lock().unwrap_or_else(std::sync::PoisonError::into_inner).end_frame(|c| match c {
        Class::Thumb => THUMB_CAP,
        Class::Full => FULL_CAP,
    });
    for uri in evicted {
        ctx.forget_image(&uri);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_drawn_go_first_and_this_frames_stay() {
        let mut lru = ImageLru::default();
        for i in 0..5 {
            lru.touch(&format!("t{i}"), Class::Thumb);
            assert!(lru.end_frame(|_| 10).is_empty());
        }
        lru.touch("t0", Class::Thumb);
        lru.touch("f0", Class::Full);
        let mut gone = lru.end_frame(|c| if c == Class::Thumb { 3 } else { 1 });
        gone.sort();
        assert_eq!(gone, vec!["t1".to_owned(), "t2".to_owned()], "t0 was drawn again, so t1 and t2 are oldest");
        assert_eq!(lru.len(), 4);
        // Everything drawn in one frame stays, even over the cap.
        for i in 0..3 {
            lru.touch(&format!("f{i}"), Class::Full);
        }
        let gone = lru.end_frame(|c| if c == Class::Thumb { 3 } else { 1 });
        assert!(gone.is_empty(), "{gone:?}");
    }
}
