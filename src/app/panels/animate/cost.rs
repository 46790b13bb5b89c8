//! What a video job costs, as far as the gateways say. Neither TTAPI nor AceData publishes a
//! price for video: TTAPI's video page says only that different resolutions consume
//! different amounts of quota (<https://docs.ttapi.io/api/en/videoapi/submit>), and gives a
//! job's cost once it has ended (the `quota` of a fetch), which the list shows. So the form
//! says that, and what the last video job on the same gateway cost, from the rows the list
//! holds.

use crate::app::list::JobList;
use crate::job::Provider;

/// The form's `Cost` line for a video job on `provider`.
pub fn cost_line(provider: Provider, list: &JobList) -> String {
    let known = list
        .newest_where(|row| row.provider == provider && row.kind.is_video())
        .and_then(|row| row.quota.as_deref().filter(|q| !q.trim().is_empty()).map(str::to_owned));
    let rule = match provider {
        Provider::Ttapi => "TTAPI charges quota by resolution (HD more than SD) and states it when the job ends",
        _ => "the gateway publishes no price for video",
    };
    match known {
        Some(q) => format!("Cost: {rule}; your last video here cost {q}"),
        None => format!("Cost: {rule}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::state::AppState;
    use crate::job::{ImageInput, Job, JobRequest, JobStatus, SubmitOptions, VideoOptions};

    fn video(provider: Provider, quota: Option<&str>) -> Job {
        let request = JobRequest::Animate {
            image: ImageInput::Url("http://x/a.png".into()),
            parent: None,
            end: None,
            video: VideoOptions::default(),
        };
        let mut job = Job::new(provider, "http://x", request, SubmitOptions::default());
        job.status = JobStatus::Succeeded;
        job.quota = quota.map(str::to_owned);
        job
    }

    #[test]
    fn names_the_last_video_jobs_cost_on_the_same_gateway() {
        let image = Job::new(
            Provider::Ttapi,
            "http://x",
            JobRequest::Imagine { prompt: "a fox".into() },
            SubmitOptions::default(),
        );
        let mut with_quota = image.clone();
        with_quota.quota = Some("3".into());
        // newest first, as the list holds them
        let jobs = vec![
            with_quota,
            video(Provider::Acedata, Some("7")),
            video(Provider::Ttapi, Some("12")),
            video(Provider::Ttapi, Some("5")),
        ];
        let state = AppState::new("sim".into(), 10, jobs);
        let ttapi = cost_line(Provider::Ttapi, &state.list);
        assert!(ttapi.ends_with("your last video here cost 12"), "{ttapi}");
        assert!(ttapi.contains("by resolution"), "{ttapi}");
        let acedata = cost_line(Provider::Acedata, &state.list);
        assert!(acedata.ends_with("cost 7"), "{acedata}");
    }

    #[test]
    fn with_no_video_job_yet_it_says_only_how_the_gateway_charges() {
        let state = AppState::new("sim".into(), 10, vec![video(Provider::Ttapi, None)]);
        let line = cost_line(Provider::Ttapi, &state.list);
        assert!(!line.contains("last video"), "{line}");
        assert!(line.starts_with("Cost: TTAPI charges quota"), "{line}");
    }
}
