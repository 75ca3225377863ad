//! Where a package's files come from: a folder on disk (links may not lead out of it, names
//! match exactly), a map of files, or a zip unpacked into one (with limits, so that a small
//! upload cannot unpack into gigabytes).

use super::read::one;
use super::{MANIFEST, MAX_FILE_BYTES, MAX_ZIP_BYTES, MAX_ZIP_ENTRIES, ZIP_FILE, check_path};
use crate::error::FormatErrors;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::PathBuf;

/// The outcome of looking a file up.
pub(super) enum Fetch {
    Found(Vec<u8>),
    Missing,
    Refused(String),
}

pub(super) trait Source {
    /// Looks up a path that has passed [`check_path`].
    fn fetch(&self, path: &str) -> Fetch;
}

pub(super) struct MapSource<'a> {
    pub(super) files: &'a BTreeMap<String, Vec<u8>>,
    /// Entries present but unusable (too large, a link), with the reason.
    pub(super) refused: BTreeMap<String, String>,
}

impl Source for MapSource<'_> {
    fn fetch(&self, path: &str) -> Fetch {
        if let Some(reason) = self.refused.get(path) {
            return Fetch::Refused(reason.clone());
        }
        match self.files.get(path) {
            Some(bytes) if bytes.len() as u64 > MAX_FILE_BYTES => Fetch::Refused(too_large()),
            Some(bytes) => Fetch::Found(bytes.clone()),
            None => Fetch::Missing,
        }
    }
}

pub(super) struct DirSource {
    /// Canonical.
    pub(super) root: PathBuf,
}

impl Source for DirSource {
    fn fetch(&self, path: &str) -> Fetch {
        let full = self.root.join(path);
        let real = match std::fs::canonicalize(&full) {
            Ok(real) => real,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Fetch::Missing,
            Err(e) => return Fetch::Refused(format!("cannot be read: {e}")),
        };
        if !real.starts_with(&self.root) {
            return Fetch::Refused("is a link that leads outside the package folder".into());
        }
        // On a case-insensitive disk `Lesson.md` opens `lesson.md`; a zip or another server
        // would not, so names must match exactly here too.
        let mut dir = self.root.clone();
        for part in path.split('/') {
            let listed = std::fs::read_dir(&dir)
                .map(|entries| entries.flatten().any(|e| e.file_name().to_str() == Some(part)))
                .unwrap_or(false);
            if !listed {
                return Fetch::Refused("does not exist with exactly this name (names are case-sensitive)".into());
            }
            dir.push(part);
        }
        match std::fs::metadata(&real) {
            Ok(m) if !m.is_file() => return Fetch::Refused("is not a file".into()),
            Ok(m) if m.len() > MAX_FILE_BYTES => return Fetch::Refused(too_large()),
            Ok(_) => {}
            Err(e) => return Fetch::Refused(format!("cannot be read: {e}")),
        }
        match std::fs::read(&real) {
            Ok(bytes) => Fetch::Found(bytes),
            Err(e) => Fetch::Refused(format!("cannot be read: {e}")),
        }
    }
}

fn too_large() -> String {
    format!("is larger than {} KiB", MAX_FILE_BYTES / 1024)
}

/// Unpacks a zip into files by path, and the entries that cannot be used with the reason. A
/// single top-level folder (as "compress this folder" makes) is stripped, and the litter of
/// macOS archivers is skipped.
#[expect(clippy::type_complexity, reason = "a private pair of maps, named at the call site")]
pub(super) fn unzip(bytes: &[u8]) -> Result<(BTreeMap<String, Vec<u8>>, BTreeMap<String, String>), FormatErrors> {
    let zip_error = |message: String| one(ZIP_FILE, 1, None, message);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| zip_error(format!("not a readable zip file: {e}")))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(zip_error(format!(
            "holds {} entries; a package may hold at most {MAX_ZIP_ENTRIES}",
            archive.len()
        )));
    }
    let mut files = BTreeMap::new();
    let mut refused = BTreeMap::new();
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| zip_error(format!("entry {}: {e}", i + 1)))?;
        let Ok(name) = entry.name().map(|n| n.replace('\\', "/")) else { continue };
        if entry.is_dir() || name.ends_with('/') {
            continue;
        }
        if name.starts_with("__MACOSX/") || name.rsplit('/').next() == Some(".DS_Store") {
            continue;
        }
        // A name that is not a package path cannot be named by a manifest; skip it rather than
        // ever turning it into a path.
        if check_path(&name).is_err() {
            continue;
        }
        if entry.is_symlink() {
            refused.insert(name, "is a symbolic link".into());
            continue;
        }
        let mut content = Vec::new();
        (&mut entry)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut content)
            .map_err(|e| zip_error(format!("{name}: cannot be unpacked: {e}")))?;
        total += content.len() as u64;
        if total > MAX_ZIP_BYTES {
            return Err(zip_error(format!("unpacks to more than {} MiB", MAX_ZIP_BYTES >> 20)));
        }
        if content.len() as u64 > MAX_FILE_BYTES {
            refused.insert(name, too_large());
        } else {
            files.insert(name, content);
        }
    }
    if !files.contains_key(MANIFEST) {
        let tops: BTreeSet<String> = files
            .keys()
            .chain(refused.keys())
            .map(|n| n.split_once('/').map_or("", |(top, _)| top).to_owned())
            .collect();
        if let [top] = &tops.into_iter().collect::<Vec<_>>()[..]
            && !top.is_empty()
        {
            let prefix = format!("{top}/");
            return Ok((strip_prefix(files, &prefix), strip_prefix(refused, &prefix)));
        }
    }
    Ok((files, refused))
}

fn strip_prefix<V>(map: BTreeMap<String, V>, prefix: &str) -> BTreeMap<String, V> {
    map.into_iter().map(|(k, v)| (k.strip_prefix(prefix).map(str::to_owned).unwrap_or(k), v)).collect()
}
