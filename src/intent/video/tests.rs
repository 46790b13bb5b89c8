use super::*;
use crate::intent::{Intent, build};
use crate::job::{JobImage, JobKind, SubmitOptions};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

fn finished(store: &Store, request: JobRequest, images: &[&str]) -> Job {
    let mut job = Job::new(Provider::Ttapi, "http://127.0.0.1:9", request, SubmitOptions::default());
    job.gateway_id = Some(format!("gw-{}", &job.id[..8]));
    job.status = JobStatus::Succeeded;
    job.images = images.iter().map(|u| JobImage { url: u.to_string(), ..Default::default() }).collect();
    store.insert_job(&job).unwrap();
    job
}

fn grid(store: &Store) -> Job {
    let urls = ["https://c/0.png", "https://c/1.png", "https://c/2.png", "https://c/3.png"];
    finished(store, JobRequest::Imagine { prompt: "a fox".into() }, &urls)
}

fn animate_job(store: &Store, parent: &Job, clips: usize) -> Job {
    let request = JobRequest::Animate {
        image: ImageInput::Url("https://c/0.png".into()),
        parent: parent.parent_ref(Some(0)),
        end: None,
        video: VideoOptions::default(),
    };
    let urls: Vec<String> = (0..clips).map(|i| format!("https://c/{i}.mp4")).collect();
    finished(store, request, &urls.iter().map(String::as_str).collect::<Vec<_>>())
}

fn start(job: &Job, index: Option<u8>) -> FrameSource {
    FrameSource::Job { id: job.id.clone(), index }
}

fn refusal(r: Result<Built, IntentError>) -> VideoIntentError {
    match r {
        Err(IntentError::Video(e)) => e,
        other => panic!("expected a video refusal, got {other:?}"),
    }
}

#[test]
fn animate_takes_the_picked_grid_image_as_the_start_frame_and_names_its_job() {
    let (_d, store) = store();
    let g = grid(&store);
    let video = VideoOptions { batch: 2, ..Default::default() };
    let built =
        build(Intent::Animate { start: start(&g, Some(2)), end: None, video }, Provider::Ttapi, &store).unwrap();
    match &built.request {
        JobRequest::Animate { image, parent, end, video } => {
            assert_eq!(image, &ImageInput::Url("https://c/2.png".into()));
            assert_eq!(parent.as_ref().unwrap().job_id, g.gateway_id.clone().unwrap());
            assert_eq!(parent.as_ref().unwrap().image_index, Some(2));
            assert_eq!(end, &None);
            assert_eq!(video.batch, 2);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(built.parent.unwrap().id, g.id);
    assert_eq!(JobKind::of_request(&built.request), JobKind::Animate { parent: g.gateway_id.clone() });
    // An end frame as the window's field takes it: a job's image, typed.
    let typed = Some(FrameSource::Typed(format!("{}:4", g.id)));
    let built = build(
        Intent::Animate { start: start(&g, Some(0)), end: typed, video: VideoOptions::default() },
        Provider::Ttapi,
        &store,
    )
    .unwrap();
    assert!(
        matches!(built.request, JobRequest::Animate { end: Some(ImageInput::Url(ref u)), .. } if u == "https://c/3.png")
    );
}

#[test]
fn bad_animates_are_refused_in_one_line() {
    let (dir, store) = store();
    let g = grid(&store);
    let video = VideoOptions::default;
    let animate = |s, e| build(Intent::Animate { start: s, end: e, video: video() }, Provider::Ttapi, &store);
    assert!(matches!(refusal(animate(start(&g, None), None)), VideoIntentError::PickImage { count: 4, .. }));
    assert!(matches!(refusal(animate(start(&g, Some(5)), None)), VideoIntentError::NoSuchImage { .. }));
    let describe = finished(&store, JobRequest::Describe { image: ImageInput::Url("https://x/a.png".into()) }, &[]);
    let e = refusal(animate(start(&describe, None), None));
    assert!(e.to_string().contains("a describe job makes no image"), "{e}");
    let mut running = grid(&store);
    running.status = JobStatus::Running { progress: 40 };
    store.save_job(&running).unwrap();
    let e = refusal(animate(start(&running, Some(0)), None));
    assert!(e.to_string().contains("running 40%"), "{e}");
    // An end frame of the wrong kind: a video job.
    let clip = animate_job(&store, &g, 4);
    let e = refusal(animate(start(&g, Some(0)), Some(start(&clip, Some(0)))));
    assert!(matches!(e, VideoIntentError::FrameIsVideo(_)), "{e}");
    assert!(matches!(refusal(animate(start(&clip, Some(0)), None)), VideoIntentError::FrameIsVideo(_)));
    // An end frame that is not an image file.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello").unwrap();
    let e = animate(start(&g, Some(0)), Some(FrameSource::Image(ImageSource::File(text)))).unwrap_err();
    assert!(matches!(e, IntentError::Input(_)), "{e}");
    // Bad options, and Vtrix.
    let bad = VideoOptions { batch: 3, ..Default::default() };
    let e =
        refusal(build(Intent::Animate { start: start(&g, Some(0)), end: None, video: bad }, Provider::Ttapi, &store));
    assert_eq!(e, VideoIntentError::Batch(3));
    let e = refusal(build(
        Intent::Animate { start: start(&g, Some(0)), end: None, video: video() },
        Provider::Vtrix,
        &store,
    ));
    assert_eq!(e.to_string(), "Vtrix has no video call; animate and extend work on TTAPI and AceData");
    assert!(!e.to_string().contains('\n'));
}

#[test]
fn a_pasted_end_frame_goes_as_png_bytes_on_acedata_and_is_refused_on_ttapi() {
    let (_dir, store) = store();
    let png = crate::imageio::encode_png(&image::RgbaImage::from_pixel(4, 4, image::Rgba([1, 2, 3, 255])));
    let intent = || Intent::Animate {
        start: FrameSource::Image(ImageSource::Url("https://c/s.png".into())),
        end: Some(FrameSource::Image(ImageSource::Bytes { bytes: png.clone(), name: "pasted image".into() })),
        video: VideoOptions::default(),
    };
    let built = build(intent(), Provider::Acedata, &store).unwrap();
    let JobRequest::Animate { end: Some(ImageInput::Bytes { bytes, mime }), .. } = &built.request else {
        panic!("the end frame as bytes: {:?}", built.request)
    };
    assert_eq!((bytes.as_slice(), mime.as_str()), (png.as_slice(), "image/png"));
    assert_eq!(refusal(build(intent(), Provider::Ttapi, &store)), VideoIntentError::NeedsLink("end frame"));
}

#[test]
fn extend_counts_the_clip_length_and_stops_at_21_seconds() {
    let (_d, store) = store();
    let g = grid(&store);
    let clip = animate_job(&store, &g, 2);
    let built = build(
        Intent::Extend { parent: clip.id.clone(), index: 1, video: VideoOptions::default() },
        Provider::Ttapi,
        &store,
    )
    .unwrap();
    let JobRequest::Extend { parent, extends, .. } = &built.request else { panic!("{:?}", built.request) };
    assert_eq!(
        (parent.job_id.as_str(), parent.image_index, *extends),
        (clip.gateway_id.as_deref().unwrap(), Some(1), 1)
    );
    // Extend an extend, four times in all: 5 + 4 x 4 = 21 s; a fifth is refused.
    let mut last = clip;
    for n in 1..=video::MAX_EXTENDS {
        let b = build(
            Intent::Extend { parent: last.id.clone(), index: 0, video: VideoOptions::default() },
            Provider::Ttapi,
            &store,
        )
        .unwrap();
        assert_eq!(JobKind::of_request(&b.request).extends(), n);
        last = finished(&store, b.request, &["https://c/x.mp4"]);
    }
    let e = refusal(build(
        Intent::Extend { parent: last.id.clone(), index: 0, video: VideoOptions::default() },
        Provider::Ttapi,
        &store,
    ));
    assert_eq!(e, VideoIntentError::TooLong { seconds: 21 });
    assert!(e.to_string().contains("stops at 21 s"), "{e}");
    // Not a video; no such clip.
    let e = refusal(build(
        Intent::Extend { parent: g.id.clone(), index: 0, video: VideoOptions::default() },
        Provider::Ttapi,
        &store,
    ));
    assert!(matches!(e, VideoIntentError::NotAVideo(_)));
    let two = animate_job(&store, &g, 2);
    let e = refusal(build(
        Intent::Extend { parent: two.id, index: 3, video: VideoOptions::default() },
        Provider::Ttapi,
        &store,
    ));
    assert!(matches!(e, VideoIntentError::NoSuchClip { index: 3, count: 2, .. }), "{e}");
}

#[test]
fn frame_arguments_are_files_links_or_job_ids() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.png");
    std::fs::write(&file, b"x").unwrap();
    assert_eq!(FrameSource::parse_arg(file.to_str().unwrap()), FrameSource::Image(ImageSource::File(file.clone())));
    assert_eq!(
        FrameSource::parse_arg("https://x/y.png"),
        FrameSource::Image(ImageSource::Url("https://x/y.png".into()))
    );
    assert_eq!(FrameSource::parse_arg("abcdef12:3"), FrameSource::Job { id: "abcdef12".into(), index: Some(2) });
    assert_eq!(FrameSource::parse_arg("abcdef12"), FrameSource::Job { id: "abcdef12".into(), index: None });
}
