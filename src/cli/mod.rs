//! The command line: scripting and batch work with the same engine as the app.

/// `println!` for the command's output: when the reader went away (`mjdesk jobs | head`), the
/// command ends quietly instead of panicking on the broken pipe.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::print_line(&format!($($arg)*))
    };
}

mod args;
mod export;
mod library;
mod output;
mod video;

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

pub use args::{
    Cli, Cmd, CollectionAction, ExportArgs, FilterArgs, GatewayArgs, KeyAction, ProviderArg, SimulateArgs, VideoArgs,
};

use crate::connect::{self, ClientResolver, Connection, resolver_for};
use crate::intent::{self, ImageSource, Intent, MaskSource, find_job};
use crate::job::{Dimensions, JobKind, JobStatus, Mode, Provider, SubmitOptions};
use crate::keystore::KeyStore;
use crate::manager::{JobManager, ManagerConfig};
use crate::secret::ApiKey;
use crate::store::Store;

/// The longest failure line printed, in characters.
const ERROR_LINE_CHARS: usize = 500;

/// Runs one command; a failure prints one clear line (gateway text made safe, see
/// [`crate::textsafe`]) and exits non-zero.
pub fn run(cmd: Cmd) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mjdesk: could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(dispatch(cmd)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("mjdesk: {}", crate::textsafe::line(&msg, ERROR_LINE_CHARS));
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cmd: Cmd) -> Result<(), String> {
    match cmd {
        Cmd::Simulate(a) => simulate(a).await,
        Cmd::Jobs { limit, json, filter } => {
            let store = open_store()?;
            output::list_jobs(&store, &library::filter_of(&store, &filter)?, limit, json)
        }
        Cmd::Like { job_id, off } => library::like(&open_store()?, &job_id, off),
        Cmd::Rate { job_id, stars, clear } => library::rate(&open_store()?, &job_id, stars.as_deref(), clear),
        Cmd::Collection { action } => library::collection(&open_store()?, action),
        Cmd::Export(args) => export::export(&open_store()?, args),
        Cmd::Resume { api_key, json } => resume(api_key, json).await,
        Cmd::Retry { job_id, api_key, wait, json } => retry(&job_id, api_key, wait, json).await,
        Cmd::Key { action } => key(action),
        other => gateway_command(other).await,
    }
}

fn open_store() -> Result<Store, String> {
    Store::open_default().map_err(|e| e.to_string())
}

fn start_manager(store: Store, resolver: ClientResolver) -> Result<(JobManager, crate::manager::Updates), String> {
    Ok(JobManager::start(store, ManagerConfig::from_env(), resolver, None))
}

/// The gateway `mjdesk` with no command opens the window on, from its flags.
pub fn window_target(cli: &Cli) -> crate::app::Target {
    crate::app::Target {
        provider: match cli.endpoint.provider {
            Some(ProviderArg::Sim) | None => None,
            Some(p) => provider_of(Some(p)),
        },
        simulator: cli.endpoint.provider == Some(ProviderArg::Sim),
        base_url: cli.endpoint.base_url.clone(),
        api_key: cli.endpoint.api_key.clone(),
        allow_http: cli.endpoint.allow_http,
    }
}

fn provider_of(arg: Option<ProviderArg>) -> Option<Provider> {
    match arg {
        Some(ProviderArg::Ttapi) => Some(Provider::Ttapi),
        Some(ProviderArg::Acedata) => Some(Provider::Acedata),
        Some(ProviderArg::Vtrix) => Some(Provider::Vtrix),
        Some(ProviderArg::Sim) => None,
        // No choice made: TTAPI when a key is configured for it, else the simulator.
        None => connect::find_key(Provider::Ttapi, None).ok().flatten().map(|_| Provider::Ttapi),
    }
}

async fn gateway_command(cmd: Cmd) -> Result<(), String> {
    let g = gateway_args(&cmd)?.clone();
    let e = &g.endpoint;
    let conn = connect::connect(provider_of(e.provider), e.base_url.clone(), e.api_key.clone(), e.allow_http)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(note) = &conn.note
        && !g.json
    {
        eprintln!("{note}");
    }
    let store = open_store()?;
    let options = SubmitOptions {
        mode: g.mode.as_deref().map(Mode::parse),
        timeout_secs: g.timeout,
        hook_url: g.hook_url.clone(),
        get_u_images: matches!(cmd, Cmd::Imagine { get_u_images: true, .. }).then_some(true),
    };
    let provider = conn.provider;
    let intent = match &cmd {
        Cmd::Fetch { job_id, .. } => return fetch(&conn, store, job_id, &g).await,
        Cmd::Imagine { prompt, .. } => Intent::Imagine { prompt: prompt.clone() },
        Cmd::Action { job_id, action, .. } => {
            let parent = ready_parent(&conn, &store, job_id, &g).await?;
            Intent::Action { parent: parent.unwrap_or_else(|| job_id.clone()), action: action.clone() }
        }
        Cmd::Seed { job_id, .. } => {
            Intent::Seed { parent: ready_parent(&conn, &store, job_id, &g).await?.unwrap_or_else(|| job_id.clone()) }
        }
        Cmd::Describe { image, .. } => Intent::Describe { image: ImageSource::File(image.clone()) },
        Cmd::Blend { images, dimensions, .. } => {
            let dimensions = match dimensions.as_deref() {
                Some(d) => {
                    Some(Dimensions::parse(d).ok_or_else(|| format!("'{d}' is not PORTRAIT, SQUARE or LANDSCAPE"))?)
                }
                None => None,
            };
            Intent::Blend { images: images.iter().cloned().map(ImageSource::File).collect(), dimensions }
        }
        Cmd::Inpaint { job_id, mask, prompt, .. } => {
            // The mask is checked before waiting on the parent: a bad file fails at once.
            intent::load_mask_file(mask).map_err(|e| e.to_string())?;
            let parent = ready_parent(&conn, &store, job_id, &g).await?.unwrap_or_else(|| job_id.clone());
            Intent::Inpaint { parent, mask: MaskSource::File(mask.clone()), prompt: prompt.clone() }
        }
        Cmd::Edit { image, mask, prompt, retexture, .. } => {
            edit_intent(&conn, &store, &g, image, mask.as_deref(), prompt, *retexture).await?
        }
        Cmd::Remix { job_id, n, prompt, subtle, .. } => {
            if let Some(why) = conn.provider.no_remix() {
                return Err(why);
            }
            let parent = ready_parent(&conn, &store, job_id, &g).await?.unwrap_or_else(|| job_id.clone());
            Intent::Remix { parent, index: n - 1, prompt: prompt.clone(), strong: !subtle }
        }
        Cmd::Animate { job_id, n, image, end_image, looped, resolution, v, .. } => {
            let video = video::options(v, Some(resolution), *looped)?;
            let start = match (job_id, image) {
                (_, Some(image)) => video::outside_image(image),
                (Some(id), None) => {
                    let index = n.as_deref().map(|n| video::number(n, "image")).transpose()?;
                    let parent = ready_parent(&conn, &store, id, &g).await?.unwrap_or_else(|| id.clone());
                    intent::FrameSource::Job { id: parent, index }
                }
                (None, None) => return Err("say which job's image to animate, or give --image FILE|URL".into()),
            };
            let end = end_image.as_deref().map(intent::FrameSource::parse_arg);
            Intent::Animate { start, end, video }
        }
        Cmd::Extend { job_id, n, v, .. } => {
            let index = video::number(n, "clip")?;
            let video = video::options(v, None, false)?;
            let parent = ready_parent(&conn, &store, job_id, &g).await?.unwrap_or_else(|| job_id.clone());
            Intent::Extend { parent, index, video }
        }
        Cmd::Simulate(_)
        | Cmd::Jobs { .. }
        | Cmd::Resume { .. }
        | Cmd::Retry { .. }
        | Cmd::Key { .. }
        | Cmd::Like { .. }
        | Cmd::Rate { .. }
        | Cmd::Collection { .. }
        | Cmd::Export(_) => {
            return Err(NOT_A_GATEWAY_COMMAND.into());
        }
    };
    let built_store = store.clone();
    let built = tokio::task::spawn_blocking(move || intent::build(intent, provider, &built_store))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    if g.dry_run {
        let client = conn.client().map_err(|e| e.to_string())?;
        let request = crate::manager::live_request(&conn.endpoint, &client, &built.request);
        let preview = client.preview_submit(&request, &options).map_err(|e| e.to_string())?;
        return output::print_preview(preview, g.json);
    }
    let (manager, mut updates) = start_manager(store, resolver_for(&conn, g.endpoint.api_key.clone()))?;
    let job = manager
        .submit(provider, &conn.endpoint, built.request, options, built.parent)
        .await
        .map_err(|e| e.to_string())?;
    let settle = g.wait || g.out.is_some();
    let job = output::wait_for(&manager, &mut updates, &job.id, settle, !g.json).await?;
    output::finish(&job, g.out.as_deref(), g.json)
}

async fn edit_intent(
    conn: &Connection,
    store: &Store,
    g: &GatewayArgs,
    image: &str,
    mask: Option<&std::path::Path>,
    prompt: &str,
    retexture: bool,
) -> Result<Intent, String> {
    let path = std::path::Path::new(image);
    let mask = mask.map(|m| MaskSource::File(m.to_path_buf()));
    if conn.provider == Provider::Vtrix && !path.exists() {
        let (id, index) = image
            .rsplit_once(':')
            .and_then(|(id, n)| Some((id, n.parse::<u8>().ok().filter(|n| *n < 4)?)))
            .ok_or_else(|| {
                format!("'{image}': Vtrix edits an image of an earlier job; write JOB_ID:N with N from 0 to 3")
            })?;
        let parent = ready_parent(conn, store, id, g)
            .await?
            .ok_or_else(|| format!("job {id} is not known here; run it through mjdesk first"))?;
        return Ok(Intent::CanvasEdit { parent, index, canvas: None, mask, prompt: prompt.to_owned() });
    }
    Ok(Intent::Edit { image: ImageSource::File(path.to_path_buf()), mask, prompt: prompt.to_owned(), retexture })
}

/// The job a follow-up continues, finished: one still running is followed to its end first
/// (a follow-up on an unfinished job is refused by the gateways). Returns our id of it, or
/// None for an id mjdesk does not know (a gateway id of a job made elsewhere).
async fn ready_parent(conn: &Connection, store: &Store, id: &str, g: &GatewayArgs) -> Result<Option<String>, String> {
    let Some(job) = find_job(store, conn.provider, id).map_err(|e| e.to_string())? else { return Ok(None) };
    if job.status.is_terminal() || g.dry_run {
        return Ok(Some(job.id));
    }
    if let JobStatus::Unknown { .. } = job.status {
        return Err(format!("job {id} may never have reached the gateway; `mjdesk retry {id}` sends it again"));
    }
    if !g.json {
        eprintln!("waiting for job {id} to finish first");
    }
    let (manager, mut updates) = start_manager(store.clone(), resolver_for(conn, g.endpoint.api_key.clone()))?;
    manager.follow(&job.id).await.map_err(|e| e.to_string())?;
    let job = output::wait_for(&manager, &mut updates, &job.id, true, !g.json).await?;
    match &job.status {
        JobStatus::Succeeded => Ok(Some(job.id)),
        other => Err(format!("job {id} did not succeed ({}); there is nothing to continue from", other.label())),
    }
}

const NOT_A_GATEWAY_COMMAND: &str = "internal: not a gateway command";

fn gateway_args(cmd: &Cmd) -> Result<&GatewayArgs, String> {
    Ok(match cmd {
        Cmd::Imagine { g, .. }
        | Cmd::Action { g, .. }
        | Cmd::Fetch { g, .. }
        | Cmd::Describe { g, .. }
        | Cmd::Blend { g, .. }
        | Cmd::Seed { g, .. }
        | Cmd::Inpaint { g, .. }
        | Cmd::Edit { g, .. }
        | Cmd::Remix { g, .. }
        | Cmd::Animate { g, .. }
        | Cmd::Extend { g, .. } => g,
        Cmd::Simulate(_)
        | Cmd::Jobs { .. }
        | Cmd::Resume { .. }
        | Cmd::Retry { .. }
        | Cmd::Key { .. }
        | Cmd::Like { .. }
        | Cmd::Rate { .. }
        | Cmd::Collection { .. }
        | Cmd::Export(_) => {
            return Err(NOT_A_GATEWAY_COMMAND.into());
        }
    })
}

/// A job we know is read once at its gateway and stored (or, with --wait, followed to its
/// end); any other id is looked up once at the gateway.
async fn fetch(conn: &Connection, store: Store, id: &str, g: &GatewayArgs) -> Result<(), String> {
    let Some(mut job) = find_job(&store, conn.provider, id).map_err(|e| e.to_string())? else {
        let client = conn.client().map_err(|e| e.to_string())?;
        let snapshot = client.fetch(id, &JobKind::Imagine).await.map_err(|e| e.to_string())?;
        return output::print_snapshot(&snapshot, g.json);
    };
    if job.ended_by_deadline() {
        return fetch_again(conn, store, job, g).await;
    }
    if !(g.wait || g.out.is_some())
        && let (Some(gateway_id), false) = (job.gateway_id.clone(), job.status.is_terminal())
    {
        let snapshot = ask_gateway(conn, g, &job, &gateway_id).await?;
        job.apply_snapshot(&snapshot);
        store.save_job(&job).map_err(|e| e.to_string())?;
        if job.status != JobStatus::Succeeded {
            return output::finish(&job, None, g.json);
        }
    }
    // Following to the end also downloads whatever result images are not kept yet.
    let (manager, mut updates) = start_manager(store, resolver_for(conn, g.endpoint.api_key.clone()))?;
    manager.follow(&job.id).await.map_err(|e| e.to_string())?;
    let job =
        output::wait_for(&manager, &mut updates, &job.id, !matches!(job.status, JobStatus::Unknown { .. }), !g.json)
            .await?;
    output::finish(&job, g.out.as_deref(), g.json)
}

/// The gateway's answer about `job` now, from the gateway and endpoint it was sent to.
async fn ask_gateway(
    conn: &Connection,
    g: &GatewayArgs,
    job: &crate::job::Job,
    gateway_id: &str,
) -> Result<crate::job::JobSnapshot, String> {
    let client = resolver_for(conn, g.endpoint.api_key.clone())(job.provider, job.base_url.clone())
        .await
        .map_err(|e| e.to_string())?;
    client.fetch(gateway_id, &job.kind).await.map_err(|e| e.to_string())
}

/// A job mjdesk stopped waiting for at its deadline: the gateway is asked again (free). If
/// it has ended the job, or with `--wait`/`--out`, the job is followed anew to its end;
/// otherwise where the gateway has it is shown, and nothing is stored.
async fn fetch_again(conn: &Connection, store: Store, job: crate::job::Job, g: &GatewayArgs) -> Result<(), String> {
    let short = crate::job::short_id(&job.id);
    if !(g.wait || g.out.is_some())
        && let Some(gateway_id) = &job.gateway_id
    {
        let snapshot = ask_gateway(conn, g, &job, gateway_id).await?;
        let mut asked = job.clone();
        asked.apply_snapshot(&snapshot);
        if !asked.status.is_terminal() {
            eprintln!(
                "mjdesk stopped waiting for job {short} at its deadline; the gateway still has it \
                 (`mjdesk fetch {short} --wait` follows it again)"
            );
            return output::finish(&asked, None, g.json);
        }
    }
    eprintln!("mjdesk stopped waiting for job {short} at its deadline; asking the gateway again");
    let (manager, mut updates) = start_manager(store, resolver_for(conn, g.endpoint.api_key.clone()))?;
    manager.check_again(&job.id).await.map_err(|e| e.to_string())?;
    let job = output::wait_for(&manager, &mut updates, &job.id, true, !g.json).await?;
    output::finish(&job, g.out.as_deref(), g.json)
}

async fn resume(api_key: Option<String>, json: bool) -> Result<(), String> {
    let store = open_store()?;
    let (manager, mut updates) = start_manager(store, connect::resolver(api_key))?;
    let count = manager.resume().await.map_err(|e| e.to_string())?;
    if !json {
        eprintln!("following {count} job(s)");
    }
    output::wait_all(&manager, &mut updates, json).await
}

async fn retry(id: &str, api_key: Option<String>, wait: bool, json: bool) -> Result<(), String> {
    let store = open_store()?;
    let job =
        find_job(&store, Provider::Ttapi, id).map_err(|e| e.to_string())?.ok_or_else(|| format!("no job {id} here"))?;
    let (manager, mut updates) = start_manager(store, connect::resolver(api_key.clone()))?;
    let job = manager.retry(&job.id).await.map_err(|e| e.to_string())?;
    let job = output::wait_for(&manager, &mut updates, &job.id, wait, !json).await?;
    output::finish(&job, None, json)
}

fn key(action: KeyAction) -> Result<(), String> {
    let store = KeyStore::new();
    let provider = |p: ProviderArg| provider_of(Some(p)).ok_or("the simulator needs no key".to_owned());
    match action {
        KeyAction::Set { provider: p } => {
            let p = provider(p)?;
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map_err(|e| format!("could not read the key: {e}"))?;
            let key = ApiKey::new(line.trim());
            if key.is_empty() {
                return Err("no key given on standard input".into());
            }
            let place = store.save(p, &key).map_err(|e| e.to_string())?;
            connect::forget_stored_keys();
            eprintln!("saved the {} key ({place})", p.display_name());
            Ok(())
        }
        KeyAction::Clear { provider: p } => {
            let p = provider(p)?;
            store.delete(p).map_err(|e| e.to_string())?;
            connect::forget_stored_keys();
            eprintln!("removed the saved {} key", p.display_name());
            Ok(())
        }
    }
}

async fn simulate(a: SimulateArgs) -> Result<(), String> {
    let secs = |s: f64| Duration::from_secs_f64(s.max(0.0));
    let config = crate::sim::SimConfig {
        api_key: a.key,
        queue_time: secs(a.queue_secs),
        run_time: secs(a.run_secs),
        max_in_progress: a.max_in_progress,
        image_ttl: a.image_ttl_secs.map(Duration::from_secs),
        faults: crate::sim::Faults {
            error_rate: a.error_rate,
            rate_limit_rate: a.rate_limit_rate,
            retry_after_secs: 2,
            malformed_rate: a.malformed_rate,
            drop_rate: a.drop_rate,
            slow_ms: a.slow_ms,
            banned_words: a.banned_word,
        },
        ..Default::default()
    };
    let addr = SocketAddr::new(IpAddr::from([127, 0, 0, 1]), a.port);
    crate::sim::serve_until_ctrl_c(config, addr).await.map_err(|e| format!("the simulator stopped: {e}"))
}

/// Writes one line of output; a closed pipe ends the process with success (the reader had all
/// it wanted), any other failure is said once on stderr.
pub(crate) fn print_line(line: &str) {
    use std::io::Write;
    if let Err(e) = writeln!(std::io::stdout().lock(), "{line}") {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("mjdesk: could not write the output: {e}");
        }
        std::process::exit(if e.kind() == std::io::ErrorKind::BrokenPipe { 0 } else { 1 });
    }
}
