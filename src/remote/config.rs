//! ssh_config resolution for copy-id, on top of the ssh2-config crate.
//!
//! ssh2-config resolves `Host` blocks with OpenSSH's first-value-wins rule. It does not
//! know `Match` (whose options would then leak into the preceding `Host` block), so
//! before parsing, `Include`s are inlined here and every `Match` block is turned into a
//! block that matches no host: Match is not supported, and never misapplied. Tokens
//! (`%h %p %r %u %d %%`) and `~` are expanded here in the options that take them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ssh2_config::{ParseRule, SshConfig};

use super::target::Target;
use crate::context::Context;
use crate::error::{Error, Result};

/// How far `Include` may nest, as in OpenSSH.
const MAX_INCLUDE_DEPTH: usize = 16;
/// Config files are small; the cap keeps `Include /dev/zero` from eating the memory.
const MAX_CONFIG_FILE: u64 = 4 * 1024 * 1024;
/// How many config files one resolution may read in all, counting a file again each
/// time it is included. OpenSSH bounds only the depth (16), so two files that include
/// `*` make it read 2^16 files, and a directory of 10 such files 10^16: an endless hang.
/// 1024 is far above any real setup (even one file per host of a large fleet in a
/// `config.d/`, a layout that includes each file once) and still reads in well under a
/// second.
const MAX_INCLUDED_FILES: usize = 1024;

/// What to do with a host key that is not in known_hosts (StrictHostKeyChecking).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrictHostKeyChecking {
    /// Ask at the terminal; refuse without one.
    Ask,
    /// Refuse.
    Yes,
    /// Add it to known_hosts and continue.
    AcceptNew,
    /// Continue without recording it (changed keys are still refused).
    No,
}

/// Everything copy-id needs to reach one host.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Where to connect (HostName, or the alias).
    pub host_name: String,
    pub port: u16,
    pub user: String,
    /// IdentityFile options, expanded.
    pub identity_files: Vec<PathBuf>,
    /// Whether IdentityFile was set at all (else the default files are tried).
    pub identity_files_configured: bool,
    pub identities_only: bool,
    /// CertificateFile options, expanded: user certificates offered with the identity
    /// whose key they certify (besides each identity's own `-cert.pub`).
    pub certificate_files: Vec<PathBuf>,
    pub user_known_hosts: Vec<PathBuf>,
    pub global_known_hosts: Vec<PathBuf>,
    pub strict: StrictHostKeyChecking,
    pub connect_timeout: Option<Duration>,
    pub batch_mode: bool,
    pub hash_known_hosts: bool,
    /// RevokedHostKeys: a KRL or a list of keys the host key must not be in.
    pub revoked_host_keys: Option<PathBuf>,
    /// How the connection is carried: straight to the host, through jump hosts, or
    /// over a ProxyCommand's standard input and output.
    pub route: Route,
    /// UpdateHostKeys: learn the host keys the server announces after login.
    pub update_host_keys: UpdateHostKeys,
}

/// UpdateHostKeys values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateHostKeys {
    No,
    Yes,
    /// Ask before changing known_hosts.
    Ask,
}

/// How to reach a host (ProxyJump, ProxyCommand or neither).
#[derive(Debug, Clone)]
pub enum Route {
    /// A TCP connection to `host_name:port`.
    Direct,
    /// A `direct-tcpip` channel through the last jump host, itself reached by its own
    /// route (the jump hosts before it, or its own config): each hop checks its own host
    /// key and logs in with its own settings, as `ssh -J` does.
    Jump(Box<Resolved>),
    /// A command (run by `sh -c`) whose standard input and output carry the connection,
    /// with `%h %p %r %n %%` already expanded.
    Command(String),
}

/// How many jump hosts one route may pass through (a config whose jump hosts name each
/// other would otherwise never end).
const MAX_HOPS: usize = 8;

/// Options given on the command line: they win over the config file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `-o Key=Value`, in order (the first value of a key wins, as in ssh).
    pub options: Vec<(String, String)>,
    pub port: Option<u16>,
    pub user: Option<String>,
}

impl Overrides {
    /// Parses `-o` arguments (`Key=Value` or `Key Value`).
    ///
    /// # Errors
    /// An argument without a value.
    pub fn parse(options: &[String], port: Option<u16>, user: Option<String>) -> Result<Self> {
        let mut parsed = Vec::new();
        for option in options {
            let (key, value) =
                option.split_once('=').or_else(|| option.trim().split_once(char::is_whitespace)).ok_or_else(
                    || Error::InvalidOption { option: option.clone(), reason: "expected KEY=VALUE".into() },
                )?;
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            // As ssh: `-o HostName=` is an error, not an empty host name.
            if value.is_empty() {
                return Err(Error::InvalidOption {
                    option: key,
                    reason: "no value after the keyword".into(),
                });
            }
            parsed.push((key, value.to_string()));
        }
        Ok(Overrides { options: parsed, port, user })
    }

    /// [`Overrides::parse`] with `-J HOSTS` first, as `ProxyJump` (as ssh: -J wins over
    /// `-o ProxyJump`). For every command that takes `-J`.
    ///
    /// # Errors
    /// As [`Overrides::parse`].
    pub fn parse_with_jump(
        jump: Option<&str>,
        options: &[String],
        port: Option<u16>,
        user: Option<String>,
    ) -> Result<Self> {
        let jump = jump.map(|hops| format!("ProxyJump={hops}"));
        let all: Vec<String> = jump.into_iter().chain(options.iter().cloned()).collect();
        Self::parse(&all, port, user)
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.options.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// The parsed config (empty when there is no file).
pub struct Config {
    parsed: SshConfig,
    home: PathBuf,
}

impl Config {
    /// Reads `file`, or `~/.ssh/config` when it exists.
    ///
    /// # Errors
    /// An unreadable file or one ssh2-config cannot parse.
    pub fn load(ctx: &Context, file: Option<&Path>) -> Result<Self> {
        let default = ctx.ssh_dir().join("config");
        let path = file.map(Path::to_path_buf).unwrap_or(default);
        let text = match read_config(&path) {
            Err(Error::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound && file.is_none() =>
            {
                String::new()
            }
            other => other?,
        };
        Self::from_text(&path, &text, &ctx.ssh_dir(), ctx.home())
    }

    /// Parses config `text` read from `path`; `Include` paths are relative to `ssh_dir`,
    /// and `~` is `home`.
    ///
    /// # Errors
    /// An unreadable included file, or text ssh2-config cannot parse.
    pub fn from_text(path: &Path, text: &str, ssh_dir: &Path, home: &Path) -> Result<Self> {
        let mut flat = Flat::default();
        flatten(&mut flat, path, text, ssh_dir, home, 0)?;
        let parsed = parse(&flat.text, home).map_err(|reason| Error::InvalidOption {
            option: flat.first_bad_line(home).unwrap_or_else(|| path.display().to_string()),
            reason,
        })?;
        Ok(Config { parsed, home: home.to_path_buf() })
    }

    /// Applies command-line overrides and the config to `target`.
    ///
    /// # Errors
    /// An option value that cannot be understood.
    pub fn resolve(&self, target: &Target, overrides: &Overrides, local_user: &str) -> Result<Resolved> {
        self.resolve_hop(target, overrides, local_user, 0)
    }

    fn resolve_hop(
        &self,
        target: &Target,
        overrides: &Overrides,
        local_user: &str,
        depth: usize,
    ) -> Result<Resolved> {
        let params = self.parsed.query(&target.host);
        let unsupported = |key: &str| params.unsupported_fields.get(key).and_then(|v| v.first()).cloned();
        let option = |key: &str| overrides.get(key).map(str::to_string).or_else(|| unsupported(key));
        // ssh: -l / -o User win over user@host, which wins over the config.
        let user = overrides
            .get("user")
            .map(str::to_string)
            .or_else(|| overrides.user.clone())
            .or_else(|| target.user.clone())
            .or_else(|| params.user.clone())
            .unwrap_or_else(|| local_user.to_string());
        let port = match overrides.get("port") {
            Some(port) => parse_port(port)?,
            None => overrides.port.or(target.port).or(params.port).unwrap_or(22),
        };
        let host_name = overrides
            .get("hostname")
            .map(str::to_string)
            .or_else(|| params.host_name.clone())
            .map(|name| {
                let tokens = Tokens { host: &target.host, port, user: &user, local_user, home: &self.home };
                expand_tokens(&name, &tokens)
            })
            .unwrap_or_else(|| target.host.clone());
        let tokens = Tokens { host: &host_name, port, user: &user, local_user, home: &self.home };
        let identity_files: Vec<PathBuf> = match overrides.get("identityfile") {
            Some(file) => vec![PathBuf::from(file)],
            None => params.identity_file.clone().unwrap_or_default(),
        };
        let identity_files_configured = !identity_files.is_empty();
        let identity_files =
            identity_files.iter().map(|f| self.expand_path(&f.to_string_lossy(), &tokens)).collect();
        let certificate_files: Vec<PathBuf> = match overrides.get("certificatefile") {
            Some(file) => vec![self.expand_path(file, &tokens)],
            None => params
                .certificate_file
                .iter()
                .map(|f| self.expand_path(&f.to_string_lossy(), &tokens))
                .collect(),
        };
        let user_known_hosts = match option("userknownhostsfile") {
            Some(files) => files.split_whitespace().map(|f| self.expand_path(f, &tokens)).collect(),
            None => vec![self.home.join(".ssh/known_hosts"), self.home.join(".ssh/known_hosts2")],
        };
        let global_known_hosts = match option("globalknownhostsfile") {
            Some(files) => files.split_whitespace().map(|f| self.expand_path(f, &tokens)).collect(),
            None => {
                vec![PathBuf::from("/etc/ssh/ssh_known_hosts"), PathBuf::from("/etc/ssh/ssh_known_hosts2")]
            }
        };
        let connect_timeout = match option("connecttimeout") {
            Some(secs) => Some(Duration::from_secs(
                secs.parse().map_err(|_| bad("ConnectTimeout", &secs, "a number of seconds"))?,
            )),
            None => params.connect_timeout,
        };
        // `none` is ssh's way of saying there is no such file.
        let revoked_host_keys = option("revokedhostkeys")
            .filter(|file| !file.eq_ignore_ascii_case("none"))
            .map(|file| self.expand_path(&file, &tokens));
        let proxy = Proxy {
            jump: overrides
                .get("proxyjump")
                .map(str::to_string)
                .or_else(|| params.proxy_jump.clone().map(|hops| hops.join(","))),
            // The whole rest of the line, for the shell.
            command: overrides
                .get("proxycommand")
                .map(str::to_string)
                .or_else(|| params.unsupported_fields.get("proxycommand").map(|args| args.join(" "))),
            command_given: overrides.get("proxycommand").is_some(),
            jump_given: overrides.get("proxyjump").is_some(),
        };
        let update_host_keys =
            update_host_keys(option("updatehostkeys"), option("userknownhostsfile").as_deref(), &self.home)?;
        let route = self.route(
            &proxy,
            &Tokens { host: &host_name, port, user: &user, local_user, home: &self.home },
            &target.host,
            local_user,
            depth,
        )?;
        Ok(Resolved {
            update_host_keys,
            route,
            host_name,
            port,
            user,
            identity_files,
            identity_files_configured,
            identities_only: yes_no("IdentitiesOnly", option("identitiesonly"))?.unwrap_or(false),
            certificate_files,
            user_known_hosts,
            global_known_hosts,
            strict: strict(option("stricthostkeychecking"))?,
            connect_timeout,
            batch_mode: yes_no("BatchMode", option("batchmode"))?.unwrap_or(false),
            hash_known_hosts: yes_no("HashKnownHosts", option("hashknownhosts"))?.unwrap_or(true),
            revoked_host_keys,
        })
    }

    /// The route to a host from its ProxyJump and ProxyCommand. As ssh: a command-line
    /// value wins over the config, ProxyJump wins over ProxyCommand when both come from
    /// the same place, and `none` means a direct connection.
    fn route(
        &self,
        proxy: &Proxy,
        tokens: &Tokens<'_>,
        alias: &str,
        local_user: &str,
        depth: usize,
    ) -> Result<Route> {
        let use_jump = match (proxy.jump_given, proxy.command_given) {
            (true, _) => true,
            (false, true) => false,
            (false, false) => proxy.jump.is_some(),
        };
        if use_jump && let Some(jump) = &proxy.jump {
            return self.jump_route(jump, local_user, depth);
        }
        match &proxy.command {
            Some(command) if !command.eq_ignore_ascii_case("none") => {
                let tokens = Tokens {
                    host: tokens.host,
                    port: tokens.port,
                    user: tokens.user,
                    local_user,
                    home: tokens.home,
                };
                let with_alias = command.replace("%n", &alias.replace('%', "%%"));
                Ok(Route::Command(expand_tokens(&with_alias, &tokens)))
            }
            _ => Ok(Route::Direct),
        }
    }

    /// `ProxyJump a,b`: the target is reached through `b`, and `b` through `a`; a hop is
    /// resolved with the config alone (as ssh, `-o` options are the target's).
    fn jump_route(&self, jump: &str, local_user: &str, depth: usize) -> Result<Route> {
        if jump.eq_ignore_ascii_case("none") {
            return Ok(Route::Direct);
        }
        let hops: Vec<&str> = jump.split(',').map(str::trim).filter(|h| !h.is_empty()).collect();
        let Some((last, before)) = hops.split_last() else {
            return Err(bad("ProxyJump", jump, "[user@]host[:port][,...]"));
        };
        if depth + hops.len() > MAX_HOPS {
            return Err(Error::InvalidOption {
                option: format!("ProxyJump={jump}"),
                reason: format!("more than {MAX_HOPS} jump hosts (do jump hosts name each other?)"),
            });
        }
        let target = Target::parse(last)?;
        let overrides = match before.is_empty() {
            // The first hop follows its own config (its own ProxyJump or ProxyCommand).
            true => Overrides::default(),
            false => {
                Overrides { options: vec![("proxyjump".into(), before.join(","))], ..Overrides::default() }
            }
        };
        let hop = self.resolve_hop(&target, &overrides, local_user, depth + hops.len())?;
        Ok(Route::Jump(Box::new(hop)))
    }

    fn expand_path(&self, text: &str, tokens: &Tokens<'_>) -> PathBuf {
        let text = expand_tokens(text, tokens);
        let text = text.trim_matches('"');
        // As ssh does, only `~` is expanded: a relative path is relative to the working
        // directory (only Include is relative to ~/.ssh).
        match text.strip_prefix("~/") {
            Some(rest) => self.home.join(rest),
            None if text == "~" => self.home.clone(),
            None => PathBuf::from(text),
        }
    }
}

/// ProxyJump and ProxyCommand as given, and where from.
struct Proxy {
    jump: Option<String>,
    command: Option<String>,
    jump_given: bool,
    command_given: bool,
}

/// Values for `%` tokens.
struct Tokens<'a> {
    host: &'a str,
    port: u16,
    user: &'a str,
    local_user: &'a str,
    home: &'a Path,
}

fn expand_tokens(text: &str, tokens: &Tokens<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('h') => out.push_str(tokens.host),
            Some('p') => out.push_str(&tokens.port.to_string()),
            Some('r') => out.push_str(tokens.user),
            Some('u') => out.push_str(tokens.local_user),
            Some('d') => out.push_str(&tokens.home.to_string_lossy()),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

fn parse(text: &str, home: &Path) -> std::result::Result<SshConfig, String> {
    let rules = ParseRule::ALLOW_UNKNOWN_FIELDS | ParseRule::ALLOW_UNSUPPORTED_FIELDS;
    SshConfig::default()
        .home_dir(home.to_path_buf())
        .parse(&mut text.as_bytes(), rules)
        .map_err(|e| e.to_string())
}

/// The config with `Include` files inlined and `Match` blocks neutralised, and where each
/// of its lines came from.
#[derive(Default)]
struct Flat {
    text: String,
    files: Vec<PathBuf>,
    /// For each line of `text`: where it starts in `text`, its file (index in `files`)
    /// and its line number there.
    lines: Vec<(usize, usize, usize)>,
}

impl Flat {
    fn push(&mut self, line: &str, file: usize, number: usize) {
        self.lines.push((self.text.len(), file, number));
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// `file:line` of the first line ssh2-config refuses. Its errors carry no line
    /// numbers, so this parses longer and longer beginnings of the text in a binary
    /// search (a beginning that fails makes every longer one fail).
    fn first_bad_line(&self, home: &Path) -> Option<String> {
        let prefix_ok = |count: usize| {
            let end = self.lines.get(count).map_or(self.text.len(), |&(start, _, _)| start);
            parse(&self.text[..end], home).is_ok()
        };
        let (mut good, mut bad) = (0, self.lines.len());
        if prefix_ok(bad) {
            return None;
        }
        while bad - good > 1 {
            let middle = good + (bad - good) / 2;
            if prefix_ok(middle) {
                good = middle;
            } else {
                bad = middle;
            }
        }
        let &(_, file, number) = self.lines.get(bad.checked_sub(1)?)?;
        Some(format!("{}:{number}", self.files[file].display()))
    }
}

/// Appends `text` (read from `path`) to `flat`, with `Include` files inlined and `Match`
/// blocks neutralised.
fn flatten(
    flat: &mut Flat,
    path: &Path,
    text: &str,
    ssh_dir: &Path,
    home: &Path,
    depth: usize,
) -> Result<()> {
    flat.files.push(path.to_path_buf());
    let file = flat.files.len() - 1;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let (keyword, args) =
            trimmed.split_once(|c: char| c.is_whitespace() || c == '=').unwrap_or((trimmed, ""));
        if keyword.eq_ignore_ascii_case("match") {
            // A Host block that no host matches: its options are read and never used.
            flat.push("Host !*", file, index + 1);
        } else if keyword.eq_ignore_ascii_case("include") {
            let at = || format!("{}:{}", path.display(), index + 1);
            include(flat, args, ssh_dir, home, depth).map_err(|e| match e {
                Error::InvalidOption { option, reason } if option == "Include" => {
                    Error::InvalidOption { option: at(), reason }
                }
                other => other,
            })?;
        } else {
            flat.push(line, file, index + 1);
        }
    }
    Ok(())
}

fn include(flat: &mut Flat, args: &str, ssh_dir: &Path, home: &Path, depth: usize) -> Result<()> {
    let refused = |reason: String| Error::InvalidOption { option: "Include".into(), reason };
    if depth >= MAX_INCLUDE_DEPTH {
        return Err(refused(format!("Include nested more than {MAX_INCLUDE_DEPTH} deep")));
    }
    for pattern in args.trim_start_matches('=').split_whitespace() {
        let pattern = pattern.trim_matches('"');
        let pattern = match pattern.strip_prefix("~/") {
            Some(rest) => home.join(rest),
            None if Path::new(pattern).is_relative() => ssh_dir.join(pattern),
            None => PathBuf::from(pattern),
        };
        let mut paths: Vec<PathBuf> = glob::glob_with(&posix_glob(&pattern.to_string_lossy()), POSIX_GLOB)
            .map(|paths| paths.filter_map(std::result::Result::ok).collect())
            .unwrap_or_default();
        paths.sort();
        for path in paths {
            if flat.files.len() >= MAX_INCLUDED_FILES {
                return Err(refused(format!(
                    "Include would read more than {MAX_INCLUDED_FILES} config files in all (do included files include each other?)"
                )));
            }
            flatten(flat, &path, &read_config(&path)?, ssh_dir, home, depth + 1)?;
        }
    }
    Ok(())
}

/// glob(3) as OpenSSH calls it: `*` never matches `/` or a leading dot.
const POSIX_GLOB: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: true,
};

/// glob(3) has no `**`: there it is `*` twice, one directory level, where the glob crate
/// would walk every directory below (from `/` for `Include /**/x`).
fn posix_glob(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        if !(c == '*' && out.ends_with('*')) {
            out.push(c);
        }
    }
    out
}

/// ssh reads its config as bytes; a stray Latin-1 comment must not stop us either.
fn read_config(path: &Path) -> Result<String> {
    let bytes = crate::fsutil::read_capped(path, MAX_CONFIG_FILE, "an ssh config file")?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn parse_port(text: &str) -> Result<u16> {
    text.parse().ok().filter(|&p| p != 0).ok_or_else(|| bad("Port", text, "a port number, 1-65535"))
}

fn yes_no(name: &str, value: Option<String>) -> Result<Option<bool>> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(None),
        Some("yes" | "true") => Ok(Some(true)),
        Some("no" | "false") => Ok(Some(false)),
        Some(other) => Err(bad(name, other, "yes or no")),
    }
}

fn strict(value: Option<String>) -> Result<StrictHostKeyChecking> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("ask") => Ok(StrictHostKeyChecking::Ask),
        Some("yes" | "true") => Ok(StrictHostKeyChecking::Yes),
        Some("accept-new") => Ok(StrictHostKeyChecking::AcceptNew),
        Some("no" | "off" | "false") => Ok(StrictHostKeyChecking::No),
        Some(other) => Err(bad("StrictHostKeyChecking", other, "yes, no, ask or accept-new")),
    }
}

/// UpdateHostKeys, or ssh's default for it: yes unless UserKnownHostsFile names another
/// file than ~/.ssh/known_hosts (readconf.c's rule; VerifyHostKeyDNS is not supported).
fn update_host_keys(value: Option<String>, user_files: Option<&str>, home: &Path) -> Result<UpdateHostKeys> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("yes" | "true") => Ok(UpdateHostKeys::Yes),
        Some("no" | "false") => Ok(UpdateHostKeys::No),
        Some("ask") => Ok(UpdateHostKeys::Ask),
        Some(other) => Err(bad("UpdateHostKeys", other, "yes, no or ask")),
        None => {
            let default_file =
                |f: &str| f == "~/.ssh/known_hosts" || Path::new(f) == home.join(".ssh/known_hosts");
            let files: Vec<&str> = user_files.map(|f| f.split_whitespace().collect()).unwrap_or_default();
            match files.as_slice() {
                [] => Ok(UpdateHostKeys::Yes),
                [only] if default_file(only.trim_matches('"')) => Ok(UpdateHostKeys::Yes),
                _ => Ok(UpdateHostKeys::No),
            }
        }
    }
}

/// `name=value` is refused; `expected` says what ssh accepts there.
fn bad(name: &str, value: &str, expected: &str) -> Error {
    Error::InvalidOption { option: format!("{name}={value}"), reason: format!("expected {expected}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> (tempfile::TempDir, Config) {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".ssh")).unwrap();
        std::fs::write(home.path().join(".ssh/config"), text).unwrap();
        std::fs::write(home.path().join(".ssh/extra.conf"), "Host included\n  User from-include\n").unwrap();
        let ssh_dir = home.path().join(".ssh");
        let config = Config::from_text(&ssh_dir.join("config"), text, &ssh_dir, home.path()).unwrap();
        (home, config)
    }

    fn resolve(config: &Config, target: &str, options: &[&str]) -> Resolved {
        let options: Vec<String> = options.iter().map(|s| s.to_string()).collect();
        config
            .resolve(&Target::parse(target).unwrap(), &Overrides::parse(&options, None, None).unwrap(), "me")
            .unwrap()
    }

    const SAMPLE: &str = "\
Host web-* !web-bad
  HostName %h.internal
  User webuser
  Port 2200
  IdentityFile ~/.ssh/id_web
  IdentitiesOnly yes
  StrictHostKeyChecking accept-new
  BatchMode yes
Include extra.conf
Match host db.example.com
  User dbadmin
  Port 5522
Host *
  User everyone
  UserKnownHostsFile ~/.ssh/kh_%h
";

    #[test]
    fn first_value_wins_and_tokens_expand() {
        let (home, config) = config(SAMPLE);
        let web = resolve(&config, "web-1", &[]);
        assert_eq!(
            (web.host_name.as_str(), web.port, web.user.as_str()),
            ("web-1.internal", 2200, "webuser")
        );
        assert_eq!(web.identity_files, [home.path().join(".ssh/id_web")]);
        assert!(web.identities_only);
        assert_eq!(web.strict, StrictHostKeyChecking::AcceptNew);
        assert!(web.batch_mode && !resolve(&config, "included", &[]).batch_mode);
        assert_eq!(web.user_known_hosts, [home.path().join(".ssh/kh_web-1.internal")]);
        assert_eq!(resolve(&config, "web-bad", &[]).user, "everyone");
        assert_eq!(resolve(&config, "included", &[]).user, "from-include");
    }

    /// ssh2-config alone would apply a Match body to the Host block before it.
    #[test]
    fn match_blocks_apply_to_nothing() {
        let (_home, config) = config(SAMPLE);
        let included = resolve(&config, "included", &[]);
        assert_eq!(included.port, 22);
        assert_eq!(resolve(&config, "db.example.com", &[]).user, "everyone");
    }

    #[test]
    fn command_line_wins() {
        let (_home, config) = config(SAMPLE);
        let web = resolve(&config, "alice@web-1:2300", &["User=bob", "StrictHostKeyChecking=yes"]);
        assert_eq!((web.user.as_str(), web.port), ("bob", 2300));
        assert_eq!(web.strict, StrictHostKeyChecking::Yes);
        assert_eq!(resolve(&config, "alice@web-1", &[]).user, "alice");
        // Only ~ is expanded: relative paths stay relative to the working directory.
        let relative = resolve(&config, "x", &["UserKnownHostsFile=kh other", "IdentityFile=keys/id"]);
        assert_eq!(relative.user_known_hosts, [PathBuf::from("kh"), PathBuf::from("other")]);
        assert_eq!(relative.identity_files, [PathBuf::from("keys/id")]);
        assert!(resolve(&config, "x", &["BatchMode=true"]).batch_mode);
        let bad = Overrides::parse(&["StrictHostKeyChecking=maybe".into()], None, None).unwrap();
        let refused = config.resolve(&Target::parse("x").unwrap(), &bad, "me").err().unwrap();
        assert_eq!(refused.to_string(), "StrictHostKeyChecking=maybe: expected yes, no, ask or accept-new");
        // Found by the ssh_options fuzz target: `-o HostName=` resolved to an empty host.
        let empty = Overrides::parse(&["HostName=".into()], None, None).err().unwrap();
        assert_eq!(empty.to_string(), "hostname: no value after the keyword");
    }

    /// Regression: an alias with ProxyJump connected directly; now the route names each
    /// hop, resolved with its own config, and -J / -o win over the config.
    #[test]
    fn proxy_jump_and_proxy_command_make_routes() {
        let text = "Host inner\n  HostName 10.1.1.1\n  ProxyJump alice@bastion:2200,gate\n\
                    Host gate\n  User gateuser\n\
                    Host viacmd\n  ProxyCommand python3 relay.py %h %p %r %n\n\
                    Host loop\n  ProxyJump loop\n";
        let (_home, config) = config(text);
        let inner = resolve(&config, "inner", &[]);
        let Route::Jump(gate) = &inner.route else { panic!("{:?}", inner.route) };
        assert_eq!((gate.host_name.as_str(), gate.user.as_str()), ("gate", "gateuser"));
        let Route::Jump(bastion) = &gate.route else { panic!("{:?}", gate.route) };
        assert_eq!(
            (bastion.host_name.as_str(), bastion.port, bastion.user.as_str()),
            ("bastion", 2200, "alice")
        );
        assert!(matches!(bastion.route, Route::Direct));
        assert!(matches!(resolve(&config, "inner", &["ProxyJump=none"]).route, Route::Direct));
        let Route::Command(command) = resolve(&config, "bob@viacmd:2022", &[]).route else { panic!() };
        assert_eq!(command, "python3 relay.py viacmd 2022 bob viacmd");
        let Route::Jump(other) = resolve(&config, "viacmd", &["ProxyJump=x"]).route else { panic!() };
        assert_eq!(other.host_name, "x");
        let options: Vec<String> = vec![];
        let refused = config
            .resolve(&Target::parse("loop").unwrap(), &Overrides::parse(&options, None, None).unwrap(), "me")
            .err()
            .unwrap();
        assert_eq!(
            refused.to_string(),
            "ProxyJump=loop: more than 8 jump hosts (do jump hosts name each other?)"
        );
    }

    /// As glob(3): `**` is one level, and `*` skips hidden files.
    #[test]
    fn include_globs_like_openssh() {
        let (home, _) = config("");
        let ssh = home.path().join(".ssh");
        for (dir, file, user) in
            [("a", "x.conf", "one-level"), ("a/b", "x.conf", "two-levels"), ("a", ".x.conf", "hidden")]
        {
            std::fs::create_dir_all(ssh.join(dir)).unwrap();
            std::fs::write(ssh.join(dir).join(file), format!("Host {user}\n  User {user}\n")).unwrap();
        }
        let config =
            Config::from_text(&ssh.join("config"), "Include **/*.conf\n", &ssh, home.path()).unwrap();
        assert_eq!(resolve(&config, "one-level", &[]).user, "one-level");
        assert_eq!(resolve(&config, "two-levels", &[]).user, "me");
        assert_eq!(resolve(&config, "hidden", &[]).user, "me");
    }

    /// Regression: only the depth of Include was bounded, so includes that fan out (each
    /// of two files including the two files of the next level) read 2^depth files.
    #[test]
    fn include_reads_at_most_a_bounded_number_of_files() {
        let (home, _) = config("");
        let ssh = home.path().join(".ssh");
        // Levels 0..12 of two files each; every file includes both files of the next level:
        // 2^13 - 2 = 8190 reads, each a tiny file.
        for level in 0..12 {
            let dir = ssh.join(format!("l{level}"));
            std::fs::create_dir_all(&dir).unwrap();
            for name in ["a.conf", "b.conf"] {
                let next = match level {
                    11 => String::new(),
                    _ => format!("Include l{}/*.conf\n", level + 1),
                };
                std::fs::write(dir.join(name), format!("# level {level}\n{next}")).unwrap();
            }
        }
        let error =
            Config::from_text(&ssh.join("config"), "Include l0/*.conf\n", &ssh, home.path()).err().unwrap();
        // Read depth first, the 1025th file would be included by line 2 of a level-10 file.
        assert_eq!(
            error.to_string(),
            format!(
                "{}:2: Include would read more than 1024 config files in all (do included files include each other?)",
                ssh.join("l10/b.conf").display()
            )
        );
    }

    #[test]
    fn include_nested_too_deeply_is_named_by_file_and_line() {
        let (home, _) = config("");
        let ssh = home.path().join(".ssh");
        std::fs::write(ssh.join("self.conf"), "# loops\nInclude self.conf\n").unwrap();
        let error =
            Config::from_text(&ssh.join("config"), "Include self.conf\n", &ssh, home.path()).err().unwrap();
        assert_eq!(
            error.to_string(),
            format!("{}:2: Include nested more than 16 deep", ssh.join("self.conf").display())
        );
    }

    #[test]
    fn a_refused_line_is_named_by_file_and_line() {
        let (home, _) = config("");
        let ssh = home.path().join(".ssh");
        std::fs::write(ssh.join("bad.conf"), "# included\nHost x\n  Port none\n").unwrap();
        let text = "Host a\n  User b\nInclude bad.conf\n";
        let error = Config::from_text(&ssh.join("config"), text, &ssh, home.path()).err().unwrap();
        assert_eq!(error.to_string(), format!("{}:3: expected port number", ssh.join("bad.conf").display()));
        let error =
            Config::from_text(Path::new("cfg"), "Host a\n\n  Port 0x\n", &ssh, home.path()).err().unwrap();
        assert_eq!(error.to_string(), "cfg:3: expected port number");
    }
}
