//! The simulator's job table on disk, so its jobs outlive the process that made them: a
//! fetch of an old id, a follow-up on yesterday's grid or a resumed job works after any
//! restart, whichever simulator (in-process or `mjdesk simulate`) serves then.
//!
//! One SQLite file (`sim.sqlite3` in the state folder) holds each job as it was submitted:
//! what it is, when it was made, and the work it will produce (input pictures as PNG). Its
//! stage is computed from the wall clock, and its images are rendered again, deterministically,
//! when a process that has not rendered them is asked for them. Several processes may share
//! the file (WAL); a job written by one is found by the others on their first miss.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use image::RgbaImage;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::produce::{Extension, Pic, Work};
use super::reply::Gw;
use crate::actions::PanDirection;
use crate::mask::Mask;

/// Everything needed to bring a job back.
pub(super) struct Record {
    pub id: String,
    pub gw: Gw,
    pub label: String,
    pub prompt: String,
    pub mode: String,
    pub hook: String,
    pub request: serde_json::Value,
    pub seed: Option<u64>,
    pub image_id: String,
    pub created: SystemTime,
    pub failure: Option<String>,
    pub work: Option<StoredWork>,
}

pub(super) struct Disk {
    conn: Mutex<Connection>,
}

fn ms(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn gw_word(gw: Gw) -> &'static str {
    match gw {
        Gw::Ttapi => "ttapi",
        Gw::Acedata => "acedata",
        Gw::Vtrix => "vtrix",
    }
}

fn gw_of(word: &str) -> Option<Gw> {
    match word {
        "ttapi" => Some(Gw::Ttapi),
        "acedata" => Some(Gw::Acedata),
        "vtrix" => Some(Gw::Vtrix),
        _ => None,
    }
}

impl Disk {
    pub fn open(dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join("sim.sqlite3");
        let fail = |e: rusqlite::Error| format!("{}: {e}", path.display());
        let conn = Connection::open(&path).map_err(fail)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(fail)?;
        let _: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).map_err(fail)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS sim_jobs (
                id TEXT PRIMARY KEY NOT NULL,
                gw TEXT NOT NULL,
                label TEXT NOT NULL,
                prompt TEXT NOT NULL,
                mode TEXT NOT NULL,
                hook TEXT NOT NULL,
                request TEXT NOT NULL,
                seed INTEGER,
                image_id TEXT NOT NULL,
                created_ms INTEGER NOT NULL,
                failure TEXT,
                work BLOB
            );
            CREATE INDEX IF NOT EXISTS sim_jobs_image ON sim_jobs(image_id);",
        )
        .map_err(fail)?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn save(&self, r: &Record) -> Result<(), String> {
        let work = r.work.as_ref().map(serde_json::to_vec).transpose().map_err(|e| e.to_string())?;
        self.conn()
            .execute(
                "INSERT OR REPLACE INTO sim_jobs (id, gw, label, prompt, mode, hook, request, seed, image_id, \
                 created_ms, failure, work) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    r.id,
                    gw_word(r.gw),
                    r.label,
                    r.prompt,
                    r.mode,
                    r.hook,
                    r.request.to_string(),
                    r.seed.map(|s| s as i64),
                    r.image_id,
                    ms(r.created),
                    r.failure,
                    work
                ],
            )
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// The mode and submit time of every job of `gw` that was not made to fail, for the
    /// account's quota (a read error counts as none kept).
    pub fn charged(&self, gw: Gw) -> Vec<(String, SystemTime)> {
        let conn = self.conn();
        let Ok(mut stmt) = conn.prepare("SELECT mode, created_ms FROM sim_jobs WHERE gw = ?1 AND failure IS NULL")
        else {
            return Vec::new();
        };
        let rows = stmt.query_map([gw_word(gw)], |r| {
            let created = SystemTime::UNIX_EPOCH + Duration::from_millis(r.get::<_, i64>(1)?.max(0) as u64);
            Ok((r.get::<_, String>(0)?, created))
        });
        rows.map(|rows| rows.filter_map(Result::ok).collect()).unwrap_or_default()
    }

    pub fn load(&self, id: &str) -> Option<Record> {
        self.load_where("id = ?1", id)
    }

    pub fn load_by_image_id(&self, image_id: &str) -> Option<Record> {
        self.load_where("image_id = ?1", image_id)
    }

    fn load_where(&self, cond: &str, value: &str) -> Option<Record> {
        let sql = format!(
            "SELECT id, gw, label, prompt, mode, hook, request, seed, image_id, created_ms, failure, work \
             FROM sim_jobs WHERE {cond} LIMIT 1"
        );
        let conn = self.conn();
        let row = conn
            .query_row(&sql, [value], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, i64>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, Option<Vec<u8>>>(11)?,
                ))
            })
            .optional()
            .ok()
            .flatten()?;
        let (id, gw, label, prompt, mode, hook, request, seed, image_id, created, failure, work) = row;
        Some(Record {
            id,
            gw: gw_of(&gw)?,
            label,
            prompt,
            mode,
            hook,
            request: serde_json::from_str(&request).unwrap_or(serde_json::Value::Null),
            seed: seed.map(|s| s as u64),
            image_id,
            created: SystemTime::UNIX_EPOCH + Duration::from_millis(created.max(0) as u64),
            failure,
            work: work.and_then(|w| serde_json::from_slice(&w).ok()),
        })
    }
}

/// Where the simulator keeps its jobs by default: `<data dir>/sim`.
pub fn default_state_dir() -> PathBuf {
    crate::store::data_dir().join("sim")
}

/// An input picture as PNG bytes.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredPic(#[serde(with = "crate::b64")] Vec<u8>);

impl StoredPic {
    fn of(pic: &Pic) -> Self {
        match pic {
            Pic::Png(b) => StoredPic(b.to_vec()),
            Pic::Image(img) => StoredPic(png(img)),
        }
    }

    fn pic(self) -> Pic {
        Pic::Png(self.0.into())
    }
}

fn png(img: &RgbaImage) -> Vec<u8> {
    crate::imageio::encode_png(img)
}

#[derive(Serialize, Deserialize)]
pub(super) enum StoredExtension {
    Zoom(f32),
    Pan(u8),
    Square,
}

fn pan_code(d: PanDirection) -> u8 {
    match d {
        PanDirection::Left => 0,
        PanDirection::Right => 1,
        PanDirection::Up => 2,
        PanDirection::Down => 3,
    }
}

fn pan_of(code: u8) -> PanDirection {
    match code {
        0 => PanDirection::Left,
        1 => PanDirection::Right,
        2 => PanDirection::Up,
        _ => PanDirection::Down,
    }
}

/// [`Work`] as it is kept on disk.
#[derive(Serialize, Deserialize)]
pub(super) enum StoredWork {
    Scenes {
        prompt: String,
        seed: u64,
        aspect: (u32, u32),
    },
    Upscale {
        quad: StoredPic,
        scene: Option<(String, u64, u32)>,
    },
    Enlarge {
        image: StoredPic,
        factor: u32,
        creative: bool,
    },
    Vary {
        image: StoredPic,
        prompt: String,
        seed: u64,
        strength: f32,
    },
    Extend {
        image: StoredPic,
        how: StoredExtension,
        prompt: String,
        seed: u64,
    },
    Blend {
        images: Vec<StoredPic>,
        aspect: (u32, u32),
        seed: u64,
    },
    Masked {
        base: StoredPic,
        mask: Mask,
        prompt: String,
        seed: u64,
    },
    Retexture {
        base: StoredPic,
        prompt: String,
        seed: u64,
    },
    Canvas {
        base: StoredPic,
        canvas: (u32, u32),
        place: (i64, i64, u32, u32),
        mask: Option<Mask>,
        prompt: String,
        seed: u64,
    },
    Remix {
        base: StoredPic,
        prompt: String,
        seed: u64,
        strong: bool,
    },
    Describe {
        image: StoredPic,
    },
    Seed {
        seed: u64,
    },
    Clips(super::clips::ClipSpec),
}

impl StoredWork {
    pub fn of(work: &Work) -> Self {
        let p = StoredPic::of;
        match work {
            Work::Scenes { prompt, seed, aspect } => {
                StoredWork::Scenes { prompt: prompt.clone(), seed: *seed, aspect: *aspect }
            }
            Work::Upscale { quad, scene } => StoredWork::Upscale { quad: p(quad), scene: scene.clone() },
            Work::Enlarge { image, factor, creative } => {
                StoredWork::Enlarge { image: p(image), factor: *factor, creative: *creative }
            }
            Work::Vary { image, prompt, seed, strength } => {
                StoredWork::Vary { image: p(image), prompt: prompt.clone(), seed: *seed, strength: *strength }
            }
            Work::Extend { image, how, prompt, seed } => StoredWork::Extend {
                image: p(image),
                how: match how {
                    Extension::Zoom(z) => StoredExtension::Zoom(*z),
                    Extension::Pan(d) => StoredExtension::Pan(pan_code(*d)),
                    Extension::Square => StoredExtension::Square,
                },
                prompt: prompt.clone(),
                seed: *seed,
            },
            Work::Blend { images, aspect, seed } => StoredWork::Blend {
                images: images.iter().map(|i| StoredPic(png(i))).collect(),
                aspect: *aspect,
                seed: *seed,
            },
            Work::Masked { base, mask, prompt, seed } => {
                StoredWork::Masked { base: p(base), mask: mask.clone(), prompt: prompt.clone(), seed: *seed }
            }
            Work::Retexture { base, prompt, seed } => {
                StoredWork::Retexture { base: p(base), prompt: prompt.clone(), seed: *seed }
            }
            Work::Canvas { base, canvas, place, mask, prompt, seed } => StoredWork::Canvas {
                base: p(base),
                canvas: *canvas,
                place: *place,
                mask: mask.clone(),
                prompt: prompt.clone(),
                seed: *seed,
            },
            Work::Remix { base, prompt, seed, strong } => {
                StoredWork::Remix { base: p(base), prompt: prompt.clone(), seed: *seed, strong: *strong }
            }
            Work::Describe { image } => StoredWork::Describe { image: p(image) },
            Work::Seed { seed } => StoredWork::Seed { seed: *seed },
            Work::Clips(spec) => StoredWork::Clips(spec.clone()),
        }
    }

    /// The work again; a blend input that no longer decodes fails the job with its reason.
    pub fn work(self) -> Result<Work, String> {
        Ok(match self {
            StoredWork::Scenes { prompt, seed, aspect } => Work::Scenes { prompt, seed, aspect },
            StoredWork::Upscale { quad, scene } => Work::Upscale { quad: quad.pic(), scene },
            StoredWork::Enlarge { image, factor, creative } => Work::Enlarge { image: image.pic(), factor, creative },
            StoredWork::Vary { image, prompt, seed, strength } => {
                Work::Vary { image: image.pic(), prompt, seed, strength }
            }
            StoredWork::Extend { image, how, prompt, seed } => Work::Extend {
                image: image.pic(),
                how: match how {
                    StoredExtension::Zoom(z) => Extension::Zoom(z),
                    StoredExtension::Pan(d) => Extension::Pan(pan_of(d)),
                    StoredExtension::Square => Extension::Square,
                },
                prompt,
                seed,
            },
            StoredWork::Blend { images, aspect, seed } => Work::Blend {
                images: images.into_iter().map(|p| super::inputs::decode(&p.0)).collect::<Result<_, _>>()?,
                aspect,
                seed,
            },
            StoredWork::Masked { base, mask, prompt, seed } => Work::Masked { base: base.pic(), mask, prompt, seed },
            StoredWork::Retexture { base, prompt, seed } => Work::Retexture { base: base.pic(), prompt, seed },
            StoredWork::Canvas { base, canvas, place, mask, prompt, seed } => {
                Work::Canvas { base: base.pic(), canvas, place, mask, prompt, seed }
            }
            StoredWork::Remix { base, prompt, seed, strong } => Work::Remix { base: base.pic(), prompt, seed, strong },
            StoredWork::Describe { image } => Work::Describe { image: image.pic() },
            StoredWork::Seed { seed } => Work::Seed { seed },
            StoredWork::Clips(spec) => Work::Clips(spec),
        })
    }
}
