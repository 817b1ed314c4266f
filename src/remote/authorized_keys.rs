//! `authorized-keys` on many hosts: per host one connection (as copy-id's), then the
//! file read ([`Operation::List`]), edited through the installer's safe edit
//! ([`install::edit`]), or a key rotated: NEW added, a second connection logged in with
//! NEW's private key alone, and only then OLD removed, over that connection.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::config::Resolved;
use super::copy_id::Runner;
use super::fleet::{self, Access, Using};
use super::fs::RemoteFs;
use super::install::{self, Creates, Note};
use super::outcome::Finished;
use super::target::Target;
use super::terminal::{self, Terminal, Ui};
use crate::authorized_keys::{Change, Edit, edit};
use crate::error::Error;

/// What to do on every host.
#[derive(Debug, Clone)]
pub enum Operation {
    /// Read the file.
    List,
    /// Apply edits (a removal creates no file).
    Edit { edits: Vec<Edit>, creates: Creates },
    /// Add `add`, prove that `new_private` logs in, then apply `remove`.
    Rotate { add: Edit, new_private: PathBuf, remove: Edit },
}

/// The hosts and what to do there.
pub struct Request {
    pub hosts: Vec<(Target, Resolved)>,
    pub operation: Operation,
    /// Relative to the remote home unless absolute.
    pub target_path: String,
    pub dry_run: bool,
    pub access: Access,
    pub jobs: usize,
}

/// How one host ended.
#[derive(Debug, Clone)]
pub struct HostOutcome {
    pub target: String,
    pub user: String,
    pub host: String,
    pub port: u16,
    pub result: Result<Done, Arc<Error>>,
    /// Repairs and warnings, also when the host failed (a rotation rolled back).
    pub notes: Vec<Note>,
}

/// What was found or done on a host.
#[derive(Debug, Clone, Default)]
pub struct Done {
    /// The file's path on the server.
    pub path: String,
    /// The file before (`None`: there was none).
    pub before: Option<Vec<u8>>,
    /// The file after, when it changed (or would, in a dry run).
    pub after: Option<Vec<u8>>,
    pub changes: Vec<Change>,
    /// A rotation logged in with the new key alone.
    pub proved: bool,
}

/// Runs `request` on every host; `ui` answers the hosts' questions on this thread.
pub fn run(runner: &Runner, request: Request, ui: &dyn Ui) -> Vec<HostOutcome> {
    let (events, receiver) = mpsc::unbounded_channel();
    let terminal = Terminal::new(ui.can_ask(), events);
    let Request { hosts, operation, target_path, dry_run, access, jobs } = request;
    let shared =
        Arc::new(Shared { operation, target_path, dry_run, access, terminal: Arc::clone(&terminal) });
    let work = runner.spawn(async move {
        fleet::each_host(&terminal, hosts, jobs, |target, resolved| {
            let shared = Arc::clone(&shared);
            async move {
                let outcome = one_host(&shared, target, resolved).await;
                shared.terminal.done(Finished::Edited(outcome.clone()));
                outcome
            }
        })
        .await
    });
    terminal::serve(ui, receiver);
    runner.block_on(work).unwrap_or_default()
}

/// The run's settings, shared by its hosts.
struct Shared {
    operation: Operation,
    target_path: String,
    dry_run: bool,
    access: Access,
    terminal: Arc<Terminal>,
}

/// One host, within the run's timeout.
async fn one_host(shared: &Shared, target: Target, resolved: Resolved) -> HostOutcome {
    let deadline = tokio::time::Instant::now() + shared.access.timeout;
    let mut notes = Vec::new();
    let work = on_host(shared, &resolved, deadline, &mut notes);
    let result = match tokio::time::timeout_at(deadline, work).await {
        Ok(result) => result,
        Err(_) => Err(Error::HostTimedOut { secs: shared.access.timeout.as_secs() }),
    };
    HostOutcome {
        target: target.text,
        user: resolved.user,
        host: target.host,
        port: resolved.port,
        result: result.map_err(Arc::new),
        notes,
    }
}

async fn on_host(
    shared: &Shared,
    resolved: &Resolved,
    deadline: tokio::time::Instant,
    notes: &mut Vec<Note>,
) -> Result<Done, Error> {
    let access = &shared.access;
    let mut methods = Vec::new();
    // The jump hosts' sessions (or the ProxyCommand) live as long as `handle`.
    let fleet::LoggedIn { handle, carrier: _carrier, .. } =
        fleet::login(access, &shared.terminal, resolved, deadline, &mut methods, &Using::Configured).await?;
    let done = {
        let fs = RemoteFs::open(&handle, access.transport, access.timeout).await?;
        match &shared.operation {
            Operation::List => {
                let (path, before) = install::read(&fs, &shared.target_path).await?;
                Ok(Done { path, before, ..Done::default() })
            }
            Operation::Edit { edits, creates } => {
                apply(&fs, &shared.target_path, shared.dry_run, edits, *creates, notes).await
            }
            Operation::Rotate { add, new_private, remove } => {
                rotate(shared, &fs, resolved, deadline, (add, new_private, remove), notes).await
            }
        }
    };
    let _ = handle.disconnect(russh::Disconnect::ByApplication, "", "en").await;
    done
}

/// Applies `edits` to the file through the safe edit.
async fn apply(
    fs: &RemoteFs<'_>,
    target_path: &str,
    dry_run: bool,
    edits: &[Edit],
    creates: Creates,
    notes: &mut Vec<Note>,
) -> Result<Done, Error> {
    let edited = install::edit(fs, target_path, dry_run, creates, |before| {
        edit::apply(before.unwrap_or_default(), edits).after
    })
    .await?;
    notes.extend(edited.notes);
    let changes = edit::apply(edited.before.as_deref().unwrap_or_default(), edits).changes;
    Ok(Done { path: edited.path, before: edited.before, after: edited.after, changes, proved: false })
}

/// Adds NEW, proves it over a second connection that may use NEW's key alone, and
/// removes OLD over that one. When NEW cannot log in, the NEW this run added is taken
/// out again (over the first connection), OLD stays, and the host fails.
async fn rotate(
    shared: &Shared,
    fs: &RemoteFs<'_>,
    resolved: &Resolved,
    deadline: tokio::time::Instant,
    (add, new_private, remove): (&Edit, &PathBuf, &Edit),
    notes: &mut Vec<Note>,
) -> Result<Done, Error> {
    let target_path = &shared.target_path;
    if shared.dry_run {
        // Nothing is added to log in with: the dry run says what both steps would do.
        let both = [add.clone(), remove.clone()];
        return apply(fs, target_path, true, &both, Creates::Yes, notes).await;
    }
    let added = apply(fs, target_path, false, std::slice::from_ref(add), Creates::Yes, notes).await?;
    let access = &shared.access;
    let mut methods = Vec::new();
    let using = Using::OnlyKey(new_private.clone());
    let proof = fleet::login(access, &shared.terminal, resolved, deadline, &mut methods, &using).await;
    let fleet::LoggedIn { handle, carrier: _carrier, .. } = match proof {
        Ok(logged_in) => logged_in,
        Err(refused) => {
            roll_back(fs, target_path, &added, notes).await;
            return Err(refused);
        }
    };
    let removed = {
        let proven = RemoteFs::open(&handle, access.transport, access.timeout).await?;
        apply(&proven, target_path, false, std::slice::from_ref(remove), Creates::No, notes).await
    };
    let _ = handle.disconnect(russh::Disconnect::ByApplication, "", "en").await;
    let removed = removed?;
    let mut changes = added.changes;
    changes.extend(removed.changes);
    let after = removed.after.or(added.after);
    Ok(Done { path: added.path, before: added.before, after, changes, proved: true })
}

/// Takes out again the NEW key that a failed rotation added (not one that was there
/// before it).
async fn roll_back(fs: &RemoteFs<'_>, target_path: &str, added: &Done, notes: &mut Vec<Note>) {
    let keys: Vec<_> = added
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::Added(line) => Some(crate::authorized_keys::Matcher::Key((*line.key).clone())),
            _ => None,
        })
        .collect();
    if keys.is_empty() {
        return;
    }
    let undo = [Edit::Remove(keys)];
    match apply(fs, target_path, false, &undo, Creates::No, notes).await {
        Ok(_) => notes.push(Note::Change("took the new key out again".into())),
        Err(failure) => notes.push(Note::Warning(format!(
            "the new key that could not log in is still in the file: {failure}"
        ))),
    }
}
