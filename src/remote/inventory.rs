//! Ansible inventories as targets: the INI and YAML formats of Ansible's `ini` and `yaml`
//! inventory plugins (groups, `:children`, `:vars`, host ranges such as `web[01:20]`),
//! reduced to what a connection needs: `ansible_host`, `ansible_port` and `ansible_user`
//! (and their older `ansible_ssh_*` names). A host's own variables win over its groups',
//! and a group's over its parents', as in Ansible.
//!
//! See <https://docs.ansible.com/ansible/latest/inventory_guide/intro_inventory.html>.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::target::Target;
use crate::error::{Error, Result};

/// The connection variables, by their Ansible names (the newer name first).
const HOST_VARS: [&str; 2] = ["ansible_host", "ansible_ssh_host"];
const PORT_VARS: [&str; 2] = ["ansible_port", "ansible_ssh_port"];
const USER_VARS: [&str; 2] = ["ansible_user", "ansible_ssh_user"];

/// How many hosts one range may make (`h[1:99999999]` must not eat the memory).
const MAX_RANGE: usize = 100_000;
/// How many `[…]` one host name may hold.
const MAX_RANGES: usize = 16;

/// Variables: only string values matter to us (numbers are kept as their text).
type Vars = HashMap<String, String>;

#[derive(Debug, Default)]
struct Group {
    hosts: Vec<String>,
    /// `hosts` as a set, for the check that a host is listed once.
    members: HashSet<String>,
    children: Vec<String>,
    vars: Vars,
}

/// A parsed inventory.
#[derive(Debug, Default)]
pub struct Inventory {
    path: PathBuf,
    groups: BTreeMap<String, Group>,
    /// Every host, in the order first seen.
    hosts: Vec<String>,
    host_vars: HashMap<String, Vars>,
}

impl Inventory {
    /// Parses an inventory, YAML when it looks like YAML (a `.yml`/`.yaml` name, or a
    /// first meaningful line that is a mapping key or `---`), INI otherwise.
    ///
    /// # Errors
    /// Text that is neither (named by line).
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let yaml_name = path.extension().is_some_and(|e| e == "yml" || e == "yaml");
        let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'));
        let yaml_text = first.is_some_and(|l| l == "---" || (l.ends_with(':') && !l.starts_with('[')));
        let mut inventory = Inventory { path: path.to_path_buf(), ..Inventory::default() };
        match yaml_name || yaml_text {
            true => inventory.read_yaml(text)?,
            false => inventory.read_ini(text)?,
        }
        Ok(inventory)
    }

    fn bad(&self, line: usize, reason: impl Into<String>) -> Error {
        Error::BadInventory { path: self.path.clone(), line, reason: reason.into() }
    }

    fn add_host(&mut self, group: &str, name: &str, vars: Vars) {
        if !self.host_vars.contains_key(name) {
            self.hosts.push(name.to_string());
        }
        let known = self.host_vars.entry(name.to_string()).or_default();
        for (key, value) in vars {
            known.entry(key).or_insert(value);
        }
        let group = self.groups.entry(group.to_string()).or_default();
        if group.members.insert(name.to_string()) {
            group.hosts.push(name.to_string());
        }
    }

    fn read_ini(&mut self, text: &str) -> Result<()> {
        // Section kind: hosts of a group, its children, or its vars.
        let mut section = ("ungrouped".to_string(), "hosts");
        for (index, raw) in text.lines().enumerate() {
            let number = index + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(header) = line.strip_prefix('[') {
                let header = header.strip_suffix(']').ok_or_else(|| self.bad(number, "expected ']'"))?;
                let (name, kind) = match header.split_once(':') {
                    Some((name, kind @ ("children" | "vars"))) => (name, kind),
                    Some((_, other)) => {
                        return Err(self.bad(number, format!("unknown section kind :{other}")));
                    }
                    None => (header, "hosts"),
                };
                if name.is_empty() || name.contains(char::is_whitespace) {
                    return Err(self.bad(number, format!("bad group name {name:?}")));
                }
                self.groups.entry(name.to_string()).or_default();
                section = (name.to_string(), kind);
                continue;
            }
            let group = section.0.clone();
            match section.1 {
                "children" => {
                    let child = line.split_whitespace().next().unwrap_or_default().to_string();
                    self.groups.entry(child.clone()).or_default();
                    self.groups.entry(group).or_default().children.push(child);
                }
                "vars" => {
                    let (key, value) =
                        line.split_once('=').ok_or_else(|| self.bad(number, "expected KEY=VALUE"))?;
                    let vars = &mut self.groups.entry(group).or_default().vars;
                    vars.insert(key.trim().to_string(), unquote(value.trim()));
                }
                _ => self.ini_host(&group, line, number)?,
            }
        }
        Ok(())
    }

    /// `name [key=value …]`, the name possibly a range.
    fn ini_host(&mut self, group: &str, line: &str, number: usize) -> Result<()> {
        let mut words = shell_words(line).into_iter();
        let pattern = words.next().unwrap_or_default();
        let mut vars = Vars::new();
        for word in words {
            let (key, value) = word
                .split_once('=')
                .ok_or_else(|| self.bad(number, format!("expected KEY=VALUE, found {word:?}")))?;
            vars.insert(key.to_string(), value.to_string());
        }
        for name in expand_range(&pattern).map_err(|reason| self.bad(number, reason))? {
            self.add_host(group, &name, vars.clone());
        }
        Ok(())
    }

    fn read_yaml(&mut self, text: &str) -> Result<()> {
        let root: serde_norway::Value = serde_norway::from_str(text).map_err(|e| {
            let line = e.location().map_or(0, |l| l.line());
            self.bad(line, format!("not a YAML inventory: {e}"))
        })?;
        let serde_norway::Value::Mapping(groups) = root else {
            if root.is_null() {
                return Ok(());
            }
            return Err(self.bad(1, "expected a mapping of groups at the top"));
        };
        for (name, body) in &groups {
            let name = scalar(name).ok_or_else(|| self.bad(0, "a group name must be text"))?;
            self.yaml_group(&name, body, 0)?;
        }
        Ok(())
    }

    fn yaml_group(&mut self, name: &str, body: &serde_norway::Value, depth: usize) -> Result<()> {
        use serde_norway::Value;
        if depth > 64 {
            return Err(self.bad(0, format!("groups nested more than 64 deep at {name:?}")));
        }
        self.groups.entry(name.to_string()).or_default();
        let Value::Mapping(body) = body else {
            return match body {
                Value::Null => Ok(()),
                _ => Err(self.bad(0, format!("group {name:?}: expected hosts:, children: or vars:"))),
            };
        };
        if let Some(Value::Mapping(hosts)) = body.get("hosts") {
            for (host, vars) in hosts {
                let host = scalar(host)
                    .ok_or_else(|| self.bad(0, format!("group {name:?}: a host name must be text")))?;
                let vars = yaml_vars(vars);
                for expanded in expand_range(&host).map_err(|reason| self.bad(0, reason))? {
                    self.add_host(name, &expanded, vars.clone());
                }
            }
        }
        if let Some(Value::Mapping(vars)) = body.get("vars") {
            let vars = yaml_vars(&Value::Mapping(vars.clone()));
            self.groups.entry(name.to_string()).or_default().vars.extend(vars);
        }
        if let Some(Value::Mapping(children)) = body.get("children") {
            for (child, child_body) in children {
                let child = scalar(child)
                    .ok_or_else(|| self.bad(0, format!("group {name:?}: a child name must be text")))?;
                self.groups.entry(name.to_string()).or_default().children.push(child.clone());
                self.yaml_group(&child, child_body, depth + 1)?;
            }
        }
        Ok(())
    }

    /// Every host of the groups or hosts `limit` names (Ansible's `--limit`: names
    /// separated by `,` or `:`, `!name` to leave a group or host out; `all` is every
    /// host), or every host without a limit, in the order they appear in the file.
    ///
    /// # Errors
    /// A name in `limit` that is neither a group nor a host.
    pub fn targets(&self, limit: Option<&str>) -> Result<Vec<Target>> {
        let mut chosen: Vec<&str> = Vec::new();
        let mut excluded: Vec<&str> = Vec::new();
        let patterns: Vec<&str> = match limit {
            Some(limit) => limit.split([',', ':']).map(str::trim).filter(|p| !p.is_empty()).collect(),
            None => vec!["all"],
        };
        for pattern in patterns {
            let (name, into) = match pattern.strip_prefix('!') {
                Some(name) => (name, &mut excluded),
                None => (pattern, &mut chosen),
            };
            let hosts = self.hosts_of(name).ok_or_else(|| Error::NoSuchInventoryGroup {
                path: self.path.clone(),
                limit: name.to_string(),
            })?;
            into.extend(hosts);
        }
        // Sets and a membership table built once: an inventory of ten thousand hosts
        // (a range is one line) must not cost ten thousand scans of every group.
        let chosen: HashSet<&str> = chosen.into_iter().collect();
        let excluded: HashSet<&str> = excluded.into_iter().collect();
        let mut member_of: HashMap<&str, Vec<&str>> = HashMap::new();
        for (name, group) in &self.groups {
            for host in &group.hosts {
                member_of.entry(host.as_str()).or_default().push(name.as_str());
            }
        }
        let order =
            self.hosts.iter().filter(|h| chosen.contains(h.as_str()) && !excluded.contains(h.as_str()));
        order.map(|host| self.target(host, &member_of)).collect()
    }

    /// The hosts of a group (with its children's) or the host itself.
    fn hosts_of<'a>(&'a self, name: &'a str) -> Option<Vec<&'a str>> {
        if name == "all" {
            return Some(self.hosts.iter().map(String::as_str).collect());
        }
        if self.groups.contains_key(name) {
            let mut found = Vec::new();
            let mut pending = vec![name];
            let mut seen = Vec::new();
            while let Some(group) = pending.pop() {
                if seen.contains(&group) {
                    continue;
                }
                seen.push(group);
                if let Some(body) = self.groups.get(group) {
                    found.extend(body.hosts.iter().map(String::as_str));
                    pending.extend(body.children.iter().map(String::as_str));
                }
            }
            return Some(found);
        }
        self.host_vars.contains_key(name).then(|| vec![name])
    }

    /// The groups `host` is in, nearest first (its own groups, then their parents);
    /// `member_of` maps each host to the groups that list it.
    fn groups_of<'a>(&'a self, host: &str, member_of: &HashMap<&str, Vec<&'a str>>) -> Vec<&'a str> {
        let mut order: Vec<&str> = member_of.get(host).cloned().unwrap_or_default();
        let mut index = 0;
        while index < order.len() && order.len() < self.groups.len() + 1 {
            let child = order[index];
            for (name, group) in &self.groups {
                if group.children.iter().any(|c| c == child) && !order.contains(&name.as_str()) {
                    order.push(name);
                }
            }
            index += 1;
        }
        order.push("all");
        order
    }

    /// A host's variable: its own, else its nearest group's.
    fn var(&self, host: &str, groups: &[&str], names: &[&str]) -> Option<String> {
        let own = self.host_vars.get(host);
        let scopes =
            own.into_iter().chain(groups.iter().filter_map(|g| self.groups.get(*g)).map(|g| &g.vars));
        for vars in scopes {
            if let Some(value) = names.iter().find_map(|n| vars.get(*n)) {
                return Some(value.clone());
            }
        }
        None
    }

    fn target(&self, host: &str, member_of: &HashMap<&str, Vec<&str>>) -> Result<Target> {
        let groups = self.groups_of(host, member_of);
        let address = self.var(host, &groups, &HOST_VARS).unwrap_or_else(|| host.to_string());
        let bad =
            |reason: String| Error::InvalidHost { host: format!("{}: {host}", self.path.display()), reason };
        let port = match self.var(host, &groups, &PORT_VARS) {
            Some(port) => Some(
                port.parse::<u16>()
                    .ok()
                    .filter(|&p| p != 0)
                    .ok_or_else(|| bad(format!("ansible_port {port:?} is not a port number")))?,
            ),
            None => None,
        };
        // An IPv6 address may come in brackets; what is left must still name a host.
        let unbracketed = address.trim_start_matches('[').trim_end_matches(']');
        if unbracketed.is_empty() || unbracketed.contains(char::is_whitespace) {
            return Err(bad(format!("ansible_host {address:?} is not a host name")));
        }
        let address = unbracketed.to_string();
        Ok(Target { text: host.to_string(), user: self.var(host, &groups, &USER_VARS), host: address, port })
    }
}

/// A YAML scalar as text (numbers and booleans as written).
fn scalar(value: &serde_norway::Value) -> Option<String> {
    use serde_norway::Value;
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn yaml_vars(value: &serde_norway::Value) -> Vars {
    let serde_norway::Value::Mapping(map) = value else { return Vars::new() };
    map.iter().filter_map(|(k, v)| Some((scalar(k)?, scalar(v)?))).collect()
}

/// An INI value without its surrounding quotes.
fn unquote(value: &str) -> String {
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote).and_then(|v| v.strip_suffix(quote)) {
            return inner.to_string();
        }
    }
    value.to_string()
}

/// A host line's words as Ansible splits them (shlex): quotes group, `#` after a space
/// starts a comment.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '#') if !in_word => break,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Expands Ansible's host ranges: `web[01:03]` is web01 web02 web03 (leading zeros
/// kept), `db-[a:c]` is db-a db-b db-c, `[1:9:2]` steps by 2; several ranges multiply.
fn expand_range(pattern: &str) -> std::result::Result<Vec<String>, String> {
    // Each range is one level of recursion: a hostile line of thousands must not
    // overflow the stack (and could not make fewer than 2^n hosts anyway).
    if pattern.matches('[').count() > MAX_RANGES {
        return Err(format!("more than {MAX_RANGES} ranges in {pattern:?}"));
    }
    let Some((head, rest)) = pattern.split_once('[') else {
        return Ok(vec![pattern.to_string()]);
    };
    // `[::1]` style IPv6 addresses are not ranges.
    let Some((range, tail)) = rest.split_once(']') else {
        return Ok(vec![pattern.to_string()]);
    };
    let parts: Vec<&str> = range.split(':').collect();
    let (start, end, step) = match parts.as_slice() {
        [start, end] => (*start, *end, 1),
        [start, end, step] => {
            (*start, *end, step.parse::<usize>().map_err(|_| format!("bad range step in {pattern:?}"))?)
        }
        _ => return Ok(vec![pattern.to_string()]),
    };
    if step == 0 {
        return Err(format!("bad range step in {pattern:?}"));
    }
    let items =
        range_items(start, end, step).ok_or_else(|| format!("bad host range [{range}] in {pattern:?}"))?;
    let tails = expand_range(tail)?;
    if items.len().saturating_mul(tails.len()) > MAX_RANGE {
        return Err(format!("host range {pattern:?} makes more than {MAX_RANGE} hosts"));
    }
    Ok(items.iter().flat_map(|item| tails.iter().map(move |t| format!("{head}{item}{t}"))).collect())
}

fn range_items(start: &str, end: &str, step: usize) -> Option<Vec<String>> {
    if let (Ok(first), Ok(last)) = (start.parse::<usize>(), end.parse::<usize>()) {
        if first > last || (last - first) / step >= MAX_RANGE {
            return None;
        }
        // Leading zeros: every number padded to the width of the start.
        let width = if start.starts_with('0') { start.len() } else { 0 };
        return Some((first..=last).step_by(step).map(|n| format!("{n:0width$}")).collect());
    }
    let (mut first, mut last) = (start.chars(), end.chars());
    match (first.next(), first.next(), last.next(), last.next()) {
        (Some(a), None, Some(b), None) if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() && a <= b => {
            Some((a..=b).step_by(step).map(String::from).collect())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(
        path: &str,
        text: &str,
        limit: Option<&str>,
    ) -> Vec<(String, Option<String>, String, Option<u16>)> {
        let inventory = Inventory::parse(Path::new(path), text).unwrap();
        inventory.targets(limit).unwrap().into_iter().map(|t| (t.text, t.user, t.host, t.port)).collect()
    }

    fn h(
        name: &str,
        user: Option<&str>,
        host: &str,
        port: Option<u16>,
    ) -> (String, Option<String>, String, Option<u16>) {
        (name.into(), user.map(Into::into), host.into(), port)
    }

    const INI: &str = "\
mail.example.com

[web]
web[01:02].example.com ansible_user=webadmin
edge ansible_host=10.0.0.9 ansible_port=2222  # the edge box

[db]
db-[a:b] ansible_ssh_user=\"dba\"

[prod:children]
web
db

[prod:vars]
ansible_user=deploy
ansible_port=22
";

    #[test]
    fn ini_groups_children_vars_and_ranges() {
        assert_eq!(
            hosts("inv", INI, None),
            [
                h("mail.example.com", None, "mail.example.com", None),
                h("web01.example.com", Some("webadmin"), "web01.example.com", Some(22)),
                h("web02.example.com", Some("webadmin"), "web02.example.com", Some(22)),
                h("edge", Some("deploy"), "10.0.0.9", Some(2222)),
                h("db-a", Some("dba"), "db-a", Some(22)),
                h("db-b", Some("dba"), "db-b", Some(22)),
            ]
        );
        assert_eq!(hosts("inv", INI, Some("db")).len(), 2);
        assert_eq!(hosts("inv", INI, Some("prod:!web")).len(), 2);
        assert_eq!(hosts("inv", INI, Some("edge,mail.example.com")).len(), 2);
        let inventory = Inventory::parse(Path::new("inv"), INI).unwrap();
        assert_eq!(
            inventory.targets(Some("nope")).unwrap_err().to_string(),
            "inv: no group or host \"nope\" in the inventory"
        );
    }

    const YAML: &str = "\
all:
  hosts:
    mail.example.com:
  children:
    web:
      hosts:
        web[01:02].example.com:
          ansible_user: webadmin
        edge:
          ansible_host: 10.0.0.9
          ansible_port: 2222
    prod:
      children:
        web:
        db:
          hosts:
            db-a:
      vars:
        ansible_user: deploy
";

    #[test]
    fn yaml_groups_children_vars_and_ranges() {
        assert_eq!(
            hosts("inv.yml", YAML, None),
            [
                h("mail.example.com", None, "mail.example.com", None),
                h("web01.example.com", Some("webadmin"), "web01.example.com", None),
                h("web02.example.com", Some("webadmin"), "web02.example.com", None),
                h("edge", Some("deploy"), "10.0.0.9", Some(2222)),
                h("db-a", Some("deploy"), "db-a", None),
            ]
        );
        assert_eq!(hosts("inv", YAML, Some("web")).len(), 3);
    }

    /// Found by the fuzz target: a host of brackets only named no host at all.
    #[test]
    fn a_host_of_brackets_alone_is_refused() {
        for text in ["[web]\n]\n", "[web]\n[]\n", "h ansible_host=[]\n"] {
            let inventory = Inventory::parse(Path::new("inventory"), text);
            let targets = inventory.and_then(|inventory| inventory.targets(None));
            assert!(targets.is_err(), "{text:?} gave {targets:?}");
        }
    }

    #[test]
    fn bad_inventories_name_the_line() {
        let error = Inventory::parse(Path::new("i"), "[web\nhost\n").unwrap_err().to_string();
        assert_eq!(error, "i:1: expected ']'");
        let error = Inventory::parse(Path::new("i"), "[web]\nh port\n").unwrap_err().to_string();
        assert_eq!(error, "i:2: expected KEY=VALUE, found \"port\"");
        let inventory = Inventory::parse(Path::new("i"), "h ansible_port=x\n").unwrap();
        assert!(inventory.targets(None).is_err());
        assert!(expand_range("h[1:999999999]").is_err());
        assert_eq!(expand_range("h[1:5:2]").unwrap(), ["h1", "h3", "h5"]);
        assert!(expand_range(&"a[1:1]".repeat(100_000)).is_err(), "deep recursion");
    }
}
