//! The bad-input corpus (testdata/bad/): every malformed input gives its exit status and
//! one clear error line, never a panic, and writes nothing. The cases are listed, with
//! what is checked, in testdata/bad/cases.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::common::*;

/// 100 MB, the size the corpus asks for; made by the test instead of committed.
const HUNDRED_MB: u64 = 100 * 1024 * 1024;

struct Case {
    input: String,
    exit: i32,
    args: Vec<String>,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(testdata("bad/cases")).unwrap();
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let mut words = line.split_whitespace();
            let input = words.next().unwrap().to_string();
            let exit = words.next().unwrap().parse().unwrap_or_else(|_| panic!("bad exit in {line:?}"));
            let args = words.map(str::to_string).collect();
            Case { input, exit, args }
        })
        .collect()
}

/// Puts the case's input in the home directory and returns its name there.
fn place_input(env: &Env, input: &str) -> String {
    match input {
        "@100mb_zeros" => {
            let file = std::fs::File::create(env.path("100mb_zeros")).unwrap();
            file.set_len(HUNDRED_MB).unwrap();
            "100mb_zeros".into()
        }
        "@100mb_lines" => {
            use std::io::Write;
            let line = b"garbage line that is not a key\n";
            let block: Vec<u8> = line.iter().copied().cycle().take(1024 * 1024).collect();
            let mut file = std::io::BufWriter::new(std::fs::File::create(env.path("100mb_lines")).unwrap());
            for _ in 0..HUNDRED_MB / block.len() as u64 {
                file.write_all(&block).unwrap();
            }
            "100mb_lines".into()
        }
        name => {
            std::fs::copy(testdata(&format!("bad/{name}")), env.path(name)).unwrap();
            name.into()
        }
    }
}

/// What is compared of a file: mode, size, modification time, and (when small) contents.
type FileState = (u32, u64, i64, i64, Option<Vec<u8>>);

/// The state of every file under `dir`.
fn tree(dir: &Path) -> BTreeMap<String, FileState> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                pending.push(path.clone());
            }
            let contents = (meta.is_file() && meta.len() < 1 << 20).then(|| std::fs::read(&path).unwrap());
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            files.insert(name, (meta.mode(), meta.len(), meta.mtime(), meta.mtime_nsec(), contents));
        }
    }
    files
}

#[test]
fn every_bad_input_fails_cleanly_and_writes_nothing() {
    let mut transcript = String::new();
    let cases = cases();
    assert!(cases.len() >= 50, "the corpus has {} cases", cases.len());
    for case in cases {
        let env = Env::new();
        env.fixture("id_ed25519");
        std::fs::rename(env.path("id_ed25519"), env.path("k")).unwrap();
        std::fs::rename(env.path("id_ed25519.pub"), env.path("k.pub")).unwrap();
        let name = place_input(&env, &case.input);
        let args: Vec<String> = case.args.iter().map(|a| a.replace("{}", &name)).collect();
        let before = tree(env.home());
        let run = env.kw(&args);
        let shown = format!("keywright {}", args.join(" "));
        assert_eq!(run.code, case.exit, "{shown}: exit status\n{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{shown} panicked:\n{}", run.stderr);
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert!(lines.iter().all(|l| l.starts_with("keywright: ")), "{shown}: stray stderr\n{}", run.stderr);
        if case.exit == 2 {
            // JSON output stays a valid document: the (empty) list of what was read.
            let no_data = if args.iter().any(|a| a == "json") { "[]\n" } else { "" };
            assert_eq!(run.out(), no_data, "{shown} printed data");
            assert!(
                matches!(lines[..], [error] | [error, _] if error.starts_with("keywright: error: ")),
                "{shown}: expected one error line (and a hint):\n{}",
                run.stderr
            );
            assert!(lines[0].contains(&name), "{shown}: the error does not name the input: {}", lines[0]);
            assert!(lines.get(1).is_none_or(|hint| hint.starts_with("keywright: hint: ")), "{shown}");
        }
        let after = tree(env.home());
        let changed: BTreeSet<&String> =
            before.keys().chain(after.keys()).filter(|name| before.get(*name) != after.get(*name)).collect();
        assert!(after == before, "{shown} changed files in its directory: {changed:?}");
        transcript.push_str(&format!("$ {shown}\n{}[exit {}]\n\n", run.stderr, run.code));
    }
    assert_snapshot("bad_inputs.txt", &transcript);
}
