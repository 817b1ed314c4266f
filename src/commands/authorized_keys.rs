//! `keywright authorized-keys …`: the local file or many hosts' files, listed or edited
//! with the model's pure edits ([`crate::authorized_keys::edit`]); remote files through
//! copy-id's connections and safe edit ([`crate::remote::authorized_keys`]).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;

use super::fleet::{self, PrinterUi, tell};
use super::{Status, show};
use crate::authorized_keys::diff::unified;
use crate::authorized_keys::{AuthorizedKeys as Lines, Change, Edit, KeyLine, Matcher, Wanted, edit};
use crate::cli::authorized_keys::{AuthorizedKeysArgs, AuthorizedKeysCommand, Preview, Where};
use crate::context::Context;
use crate::error::Error;
use crate::fsutil::{self, FileMode};
use crate::key::HashKind;
use crate::print::Printer;
use crate::print::authorized_keys::file_line;
use crate::remote::authorized_keys::{self as remote, Done, HostOutcome, Operation};
use crate::remote::copy_id::{Runner, default_identities};
use crate::remote::fleet::Access;
use crate::remote::install::Creates;
use crate::remote::outcome::Finished;
use crate::report::KeyInfo;
use crate::report::authorized_keys::{Action, AuthorizedKeys, Entry, File, FileStatus, Summary};

mod keys;

/// The largest authorized_keys file read locally (as remotely: `remote::fs::MAX_FILE`).
const MAX_FILE: u64 = crate::remote::fs::MAX_FILE as u64;

pub fn run(ctx: &Context, printer: &Printer, args: AuthorizedKeysArgs) -> Result<Status> {
    show(printer, report(ctx, printer, args))
}

/// A subcommand as one plan: what to do, where, and how to show it.
struct Plan<'a> {
    operation: Operation,
    place: &'a Where,
    preview: Option<&'a Preview>,
    /// `list --key`: the key asked about and what matches it.
    asked: Option<(String, Vec<Matcher>)>,
    /// `set` without --force: the keys that must include one the user logs in with.
    guard: Option<Vec<Wanted>>,
}

fn report(ctx: &Context, printer: &Printer, args: AuthorizedKeysArgs) -> Result<AuthorizedKeys> {
    let plan = match &args.command {
        AuthorizedKeysCommand::List(args) => Plan {
            operation: Operation::List,
            place: &args.place,
            preview: None,
            asked: match &args.key {
                Some(key) => Some((key.clone(), keys::matchers(key)?)),
                None => None,
            },
            guard: None,
        },
        AuthorizedKeysCommand::Add(args) => Plan {
            operation: edits(vec![Edit::Add(keys::wanted(&args.keys, &args.shape)?)], Creates::Yes),
            place: &args.place,
            preview: Some(&args.preview),
            asked: None,
            guard: None,
        },
        AuthorizedKeysCommand::Remove(args) => {
            let mut matchers = Vec::new();
            for key in &args.keys {
                matchers.extend(keys::matchers(key)?);
            }
            matchers.extend(args.by_comment.iter().map(|c| Matcher::Comment(c.as_bytes().to_vec())));
            Plan {
                operation: edits(vec![Edit::Remove(matchers)], Creates::No),
                place: &args.place,
                preview: Some(&args.preview),
                asked: None,
                guard: None,
            }
        }
        AuthorizedKeysCommand::Set(args) => {
            let wanted = keys::wanted(&args.keys, &args.shape)?;
            Plan {
                guard: (!args.force).then(|| wanted.clone()),
                operation: edits(vec![Edit::Set(wanted)], Creates::Yes),
                place: &args.place,
                preview: Some(&args.preview),
                asked: None,
            }
        }
        AuthorizedKeysCommand::Rotate(args) => Plan {
            operation: rotation(&args.old, &args.new, &args.shape)?,
            place: &args.place,
            preview: Some(&args.preview),
            asked: None,
            guard: None,
        },
    };
    execute(ctx, printer, plan)
}

fn edits(edits: Vec<Edit>, creates: Creates) -> Operation {
    Operation::Edit { edits, creates }
}

/// `rotate OLD NEW`: NEW's line (shaped by --options/--comment), and OLD's lines to go.
fn rotation(old: &str, new: &Path, shape: &crate::cli::authorized_keys::Shape) -> Result<Operation> {
    let (private, line) = keys::new_key(new)?;
    let line_text = String::from_utf8_lossy(&line.text).into_owned();
    let add = Edit::Add(keys::wanted(&[line_text], shape)?);
    let old = keys::matchers(old)?;
    if old.iter().any(|m| m.matches(&line)) {
        anyhow::bail!("OLD and NEW are the same key: nothing to rotate");
    }
    Ok(Operation::Rotate { add, new_private: private, remove: Edit::Remove(old) })
}

fn execute(ctx: &Context, printer: &Printer, plan: Plan<'_>) -> Result<AuthorizedKeys> {
    let place = plan.place;
    // No TARGET, hosts file or inventory: the local file. A list given that names no
    // host is an error, never the local file by surprise.
    let remote = !place.targets.is_empty() || place.fleet.lists_hosts();
    let dry_run = plan.preview.is_some_and(|p| p.dry_run);
    let files = match remote {
        false => {
            let path = place.file.clone().unwrap_or_else(|| ctx.ssh_dir().join("authorized_keys"));
            let runner = Runner::new()?;
            if let Some(wanted) = &plan.guard {
                let login = runner.block_on(keys::login_keys(ctx, &default_identities(&ctx.ssh_dir())));
                guard(&path.display().to_string(), wanted, &login)?;
            }
            vec![local(printer, &path, &plan, dry_run)?]
        }
        true => {
            let hosts = fleet::hosts(ctx, &place.targets, &place.fleet)?;
            let runner = Runner::new()?;
            let mut identities = default_identities(&ctx.ssh_dir());
            identities.extend(hosts.iter().flat_map(|(_, r)| r.identity_files.iter().cloned()));
            if let Some(wanted) = &plan.guard {
                let login = runner.block_on(keys::login_keys(ctx, &identities));
                let who = hosts.iter().map(|(t, _)| t.text.as_str()).collect::<Vec<_>>().join(", ");
                guard(&who, wanted, &login)?;
            }
            let request = remote::Request {
                hosts,
                operation: plan.operation.clone(),
                target_path: place.target_path.clone(),
                dry_run,
                access: access(ctx, printer, place)?,
                jobs: usize::from(place.fleet.jobs),
            };
            printer.start_host_progress(ctx.stderr_is_terminal(), request.hosts.len());
            let progress_line = |finished: &Finished| match finished {
                Finished::Edited(outcome) => Some(file_line(&remote_file(outcome, &plan, dry_run))),
                Finished::Installed(_) => None,
            };
            let outcomes =
                remote::run(&runner, request, &PrinterUi { ctx, printer, progress_line: &progress_line });
            printer.clear_progress();
            let files: Vec<File> =
                outcomes.iter().map(|outcome| remote_file(outcome, &plan, dry_run)).collect();
            for (outcome, file) in outcomes.iter().zip(&files) {
                tell(printer, &file.dest(), &outcome.notes, file.hint.as_deref());
            }
            files
        }
    };
    let action = match plan.operation {
        Operation::List => Action::List,
        _ => Action::Edit,
    };
    let asked = plan.asked.map(|(key, _)| key);
    Ok(AuthorizedKeys { summary: Summary::of(&files, asked.is_some()), files, action, dry_run, asked })
}

/// Refuses a set that holds none of the keys the user logs in with.
fn guard(who: &str, wanted: &[Wanted], login: &[ssh_key::public::KeyData]) -> Result<()> {
    match wanted.iter().any(|w| login.contains(&w.key)) {
        true => Ok(()),
        false => Err(Error::WouldLockOut { who: who.to_string() }.into()),
    }
}

fn access(ctx: &Context, printer: &Printer, place: &Where) -> Result<Access> {
    Ok(Access {
        password: fleet::password(ctx, &place.fleet)?,
        agent_socket: ctx.agent_socket().map(Path::to_path_buf),
        key_cache: Arc::default(),
        transport: place.fleet.transport.into(),
        timeout: Duration::from_secs(place.fleet.timeout),
        default_identities: default_identities(&ctx.ssh_dir()),
        // As ssh shows them unless quiet; never beside JSON, whose stderr stays quiet.
        banners: printer.chatty(),
        probe_methods: false,
    })
}

/// The local file, read or edited under its directory's lock.
fn local(printer: &Printer, path: &Path, plan: &Plan<'_>, dry_run: bool) -> Result<File> {
    let mut notes = Vec::new();
    let done = match &plan.operation {
        Operation::List => {
            let before = read_local(path)?;
            Done { path: path.display().to_string(), before, ..Done::default() }
        }
        Operation::Edit { edits, creates } => edit_local(path, edits, *creates, dry_run, &mut notes)?,
        Operation::Rotate { add, remove, .. } => {
            // There is no login to prove locally: NEW replaces OLD in one write.
            edit_local(path, &[add.clone(), remove.clone()], Creates::Yes, dry_run, &mut notes)?
        }
    };
    for note in &notes {
        if !printer.quiet() {
            printer.note(note);
        }
    }
    let mut file = file_report(&done, plan, dry_run);
    file.notes = notes;
    Ok(file)
}

fn read_local(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        _ => Ok(Some(fsutil::read_capped(path, MAX_FILE, "an authorized_keys file")?)),
    }
}

fn edit_local(
    path: &Path,
    edits: &[Edit],
    creates: Creates,
    dry_run: bool,
    notes: &mut Vec<String>,
) -> Result<Done> {
    let name = path.display().to_string();
    let missing = std::fs::symlink_metadata(path).is_err();
    // Nothing to remove from a file that is not there, and nothing to lock for it.
    if missing && (creates == Creates::No || edit::apply(b"", edits).after.is_none()) {
        return Ok(Done { path: name, ..Done::default() });
    }
    if dry_run {
        let before = read_local(path)?;
        let edited = edit::apply(before.as_deref().unwrap_or_default(), edits);
        return Ok(Done { path: name, before, after: edited.after, changes: edited.changes, proved: false });
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        fsutil::ensure_private_dir(dir)?;
    }
    let update = fsutil::Update::begin(path)?;
    let before = update.read(MAX_FILE, "an authorized_keys file")?;
    let edited = edit::apply(before.as_deref().unwrap_or_default(), edits);
    if let Some(after) = &edited.after {
        update.commit(after, strict_mode(path, notes), false)?;
    }
    Ok(Done { path: name, before, after: edited.after, changes: edited.changes, proved: false })
}

/// The mode a rewritten file gets: its own, less the group/other write bits that make
/// sshd's StrictModes ignore it (said in a note), 0600 when new.
fn strict_mode(path: &Path, notes: &mut Vec<String>) -> FileMode {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else { return FileMode::KeepOr(0o600) };
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o022 == 0 {
        return FileMode::KeepOr(0o600);
    }
    let fixed = mode & !0o022;
    notes.push(format!(
        "changed the mode of {} from {mode:o} to {fixed:o}, as sshd's StrictModes requires",
        path.display()
    ));
    FileMode::Exactly(fixed)
}

/// A host's file as the report has it.
fn remote_file(outcome: &HostOutcome, plan: &Plan<'_>, dry_run: bool) -> File {
    let mut file = match &outcome.result {
        Ok(done) => file_report(done, plan, dry_run),
        Err(failure) => File {
            error: Some(failure.to_string()),
            hint: failure.hint(),
            path: plan.place.target_path.clone(),
            status: FileStatus::Failed,
            ..empty_file()
        },
    };
    file.notes = outcome.notes.iter().map(ToString::to_string).collect();
    file.target = Some(outcome.target.clone());
    file.user = Some(outcome.user.clone());
    file.host = Some(outcome.host.clone());
    file.port = Some(outcome.port);
    if matches!(plan.operation, Operation::Rotate { .. }) && file.status != FileStatus::WouldChange {
        file.proved = Some(outcome.result.as_ref().is_ok_and(|done| done.proved));
    }
    file
}

fn empty_file() -> File {
    File {
        added: Vec::new(),
        diff: None,
        error: None,
        hint: None,
        host: None,
        keys: Vec::new(),
        notes: Vec::new(),
        path: String::new(),
        port: None,
        present: Vec::new(),
        proved: None,
        removed: Vec::new(),
        status: FileStatus::Unchanged,
        target: None,
        updated: Vec::new(),
        user: None,
    }
}

/// What was found or done to a file, as the report has it.
fn file_report(done: &Done, plan: &Plan<'_>, dry_run: bool) -> File {
    let before = Lines::parse(done.before.as_deref().unwrap_or_default());
    let after = done.after.as_deref().map(Lines::parse);
    let mut file = File { path: done.path.clone(), ..empty_file() };
    if let Operation::List = plan.operation {
        let wanted =
            |line: &KeyLine| plan.asked.as_ref().is_none_or(|(_, ms)| ms.iter().any(|m| m.matches(line)));
        file.keys =
            before.keys().filter(|(_, line)| wanted(line)).filter_map(|(n, line)| entry(line, n)).collect();
        file.status = FileStatus::Listed;
        return file;
    }
    let now = after.as_ref().unwrap_or(&before);
    let number_in =
        |lines: &Lines, key: &KeyLine| lines.keys().find(|(_, l)| l.key == key.key).map_or(0, |(n, _)| n);
    for change in &done.changes {
        match change {
            Change::Added(line) => file.added.extend(entry(line, number_in(now, line))),
            Change::Updated { to, .. } => file.updated.extend(entry(to, number_in(now, to))),
            Change::Present(line) => file.present.extend(entry(line, number_in(&before, line))),
            Change::Removed { line, key } => file.removed.extend(entry(key, *line)),
        }
    }
    file.status = match (&done.after, dry_run) {
        (None, _) => FileStatus::Unchanged,
        (Some(_), true) => FileStatus::WouldChange,
        (Some(_), false) => FileStatus::Changed,
    };
    if plan.preview.is_some_and(|p| p.diff)
        && let Some(new) = &done.after
    {
        file.diff = Some(unified(&done.path, done.before.as_deref().unwrap_or_default(), new));
    }
    file
}

fn entry(line: &KeyLine, number: usize) -> Option<Entry> {
    let comment = Some(line.comment.as_slice()).filter(|c| !c.is_empty());
    let key = KeyInfo::of(&line.key, HashKind::Sha256, comment)?;
    Some(Entry { key, line: number, options: line.option_list() })
}
