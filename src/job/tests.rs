use super::*;

#[test]
fn failed_snapshot_keeps_the_gateway_reason_verbatim() {
    let s = JobSnapshot {
        state: RemoteState::Failed,
        raw_status: "FAILED".into(),
        message: Some("[Banned prompt detected]".into()),
        ..Default::default()
    };
    assert_eq!(JobStatus::from_snapshot(&s), JobStatus::Failed { reason: "[Banned prompt detected]".into() });
}

#[test]
fn unknown_remote_status_counts_as_running() {
    let s = JobSnapshot { state: RemoteState::Other("WARMING".into()), progress: Some(40), ..Default::default() };
    assert_eq!(JobStatus::from_snapshot(&s), JobStatus::Running { progress: 40 });
}

#[test]
fn mode_keeps_unknown_text() {
    assert_eq!(Mode::parse("FAST"), Mode::Fast);
    assert_eq!(Mode::parse("hyper").as_str(), "hyper");
    let json = serde_json::to_string(&Mode::Other("hyper".into())).unwrap();
    assert_eq!(json, "\"hyper\"");
    assert_eq!(serde_json::from_str::<Mode>("\"relax\"").unwrap(), Mode::Relax);
}

#[test]
fn job_kind_round_trips_through_json() {
    let k = JobKind::Action { parent: "p1".into(), action: "upsample2".into(), image_index: Some(1) };
    let back: JobKind = serde_json::from_str(&serde_json::to_string(&k).unwrap()).unwrap();
    assert_eq!(back, k);
}
