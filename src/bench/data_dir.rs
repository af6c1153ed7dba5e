//! Where a benchmark's log lives: a directory the user gives (which must be new or empty,
//! and is kept), or a temporary one removed when the run ends.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Why the data directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("Data directory {0} is not empty: give a new or empty directory")]
    NotEmpty(String),
    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// The benchmark's data directory; a temporary one is removed when dropped.
pub struct DataDir {
    path: PathBuf,
    temporary: bool,
}

impl DataDir {
    /// `given`, which must be new or empty, or else a new temporary directory.
    pub fn prepare(given: Option<&Path>) -> Result<DataDir, DataDirError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| DataDirError::Io { path, source }
        };
        match given {
            Some(path) => {
                if let Ok(mut entries) = std::fs::read_dir(path)
                    && entries.next().is_some()
                {
                    return Err(DataDirError::NotEmpty(path.display().to_string()));
                }
                std::fs::create_dir_all(path).map_err(io(path))?;
                Ok(DataDir {
                    path: path.to_path_buf(),
                    temporary: false,
                })
            }
            None => {
                let millis = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis());
                let name = format!("sluice-bench-{}-{millis}", std::process::id());
                let path = std::env::temp_dir().join(name);
                std::fs::create_dir_all(&path).map_err(io(&path))?;
                Ok(DataDir {
                    path,
                    temporary: true,
                })
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        if self.temporary
            && let Err(e) = std::fs::remove_dir_all(&self.path)
        {
            tracing::warn!(dir = %self.path.display(), error = %e, "cannot remove the benchmark data");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_data_dir_must_be_empty() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("x"), b"x").expect("writes");
        let err = DataDir::prepare(Some(dir.path())).err().expect("refused");
        assert!(matches!(err, DataDirError::NotEmpty(_)));
    }

    #[test]
    fn a_temporary_dir_is_removed_when_dropped() {
        let dir = DataDir::prepare(None).expect("created");
        let path = dir.path().to_path_buf();
        assert!(path.is_dir());
        drop(dir);
        assert!(!path.exists());
    }
}
