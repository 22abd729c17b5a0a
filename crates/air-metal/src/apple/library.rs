//! Shell libraries (metallib bytes or a path) and visible-function
//! libraries (MSL compiled at run time).

use std::path::Path;

use air_shell::Manifest;
use dispatch2::DispatchData;
use objc2::rc::Retained;
use objc2::runtime::ProtocolObject;
use objc2_foundation::NSURL;
use objc2_metal::{
    MTLCompileOptions, MTLDataType, MTLDevice, MTLFunction, MTLFunctionConstantValues,
    MTLLanguageVersion, MTLLibrary,
};

use super::{describe, ns, strings, Device};
use crate::cache::CacheKey;
use crate::error::{CompileLog, Error, Result, Step};
use crate::msl::MslSource;
use crate::options::{CompileOptions, FunctionConstants};
use crate::signature::check_signatures;

/// A loaded shell: its library, its kernel function and its manifest.
#[derive(Debug, Clone)]
pub struct ShellLibrary {
    library: Retained<ProtocolObject<dyn MTLLibrary>>,
    kernel: Retained<ProtocolObject<dyn MTLFunction>>,
    manifest: Manifest,
    key: CacheKey,
}

impl ShellLibrary {
    /// The kernel function.
    pub fn kernel(&self) -> &ProtocolObject<dyn MTLFunction> {
        &self.kernel
    }

    /// The library.
    pub fn library(&self) -> &ProtocolObject<dyn MTLLibrary> {
        &self.library
    }

    /// The manifest it was loaded with.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The content hash of its metallib bytes.
    pub fn key(&self) -> CacheKey {
        self.key
    }
}

/// MSL compiled at run time, checked against a manifest.
#[derive(Debug, Clone)]
pub struct VisibleLibrary {
    library: Retained<ProtocolObject<dyn MTLLibrary>>,
    source: MslSource,
    options: CompileOptions,
}

impl VisibleLibrary {
    /// The library.
    pub fn library(&self) -> &ProtocolObject<dyn MTLLibrary> {
        &self.library
    }

    /// What the prototype reader found in the source.
    pub fn source(&self) -> &MslSource {
        &self.source
    }

    /// The options it was compiled with.
    pub fn options(&self) -> &CompileOptions {
        &self.options
    }

    /// The visible function `name`, specialised with `constants` when
    /// there are any (`newFunctionWithName:constantValues:error:`).
    ///
    /// # Errors
    /// [`Step::FunctionConstants`] when a constant is undeclared or of the
    /// wrong type; [`Step::VisibleFunction`] when the function is missing
    /// or Metal rejects the specialisation.
    pub fn function(
        &self,
        name: &str,
        constants: &FunctionConstants,
    ) -> Result<Retained<ProtocolObject<dyn MTLFunction>>> {
        if constants.is_empty() {
            return self.library.newFunctionWithName(&ns(name)).ok_or_else(|| {
                Error::MissingFunction {
                    step: Step::VisibleFunction,
                    library: "MSL",
                    name: name.to_string(),
                    available: strings(&self.library.functionNames()),
                }
            });
        }
        constants
            .check(&self.source)
            .map_err(|m| Error::invalid(Step::FunctionConstants, m))?;
        let values = MTLFunctionConstantValues::new();
        for (index, value) in constants.iter() {
            let bytes = value.bytes();
            let ptr = std::ptr::NonNull::from(bytes.as_slice()).cast();
            // SAFETY: `ptr` points at the value's bytes, whose size matches
            // the data type passed with it; Metal copies them during the
            // call.
            unsafe {
                values.setConstantValue_type_atIndex(
                    ptr,
                    MTLDataType(value.mtl_data_type() as usize),
                    index as usize,
                );
            }
        }
        self.library
            .newFunctionWithName_constantValues_error(&ns(name), &values)
            .map_err(|e| Error::metal(Step::VisibleFunction, format!("`{name}`: {}", describe(&e))))
    }
}

impl Device {
    /// Loads a shell from metallib bytes (`newLibraryWithData:` via
    /// `DispatchData`) and finds its kernel.
    ///
    /// # Errors
    /// [`Step::LoadShell`] when Metal rejects the bytes;
    /// [`Step::ShellFunction`] when the manifest's kernel is not in it.
    pub fn load_shell(&self, metallib: &[u8], manifest: &Manifest) -> Result<ShellLibrary> {
        let data = DispatchData::from_bytes(metallib);
        let library = self
            .raw()
            .newLibraryWithData_error(&data)
            .map_err(|e| Error::metal(Step::LoadShell, describe(&e)))?;
        self.finish_shell(library, manifest, CacheKey::shell_library(metallib))
    }

    /// Loads a shell from a `.metallib` file (`newLibraryWithURL:`).
    ///
    /// # Errors
    /// As [`Device::load_shell`], plus [`Step::LoadShell`] when the file
    /// cannot be read (its bytes are hashed for the cache key).
    pub fn load_shell_path(&self, path: &Path, manifest: &Manifest) -> Result<ShellLibrary> {
        let bytes = std::fs::read(path).map_err(|e| {
            Error::invalid(
                Step::LoadShell,
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        let url = NSURL::fileURLWithPath(&ns(&path.to_string_lossy()));
        let library = self.raw().newLibraryWithURL_error(&url).map_err(|e| {
            Error::metal(
                Step::LoadShell,
                format!("{}: {}", path.display(), describe(&e)),
            )
        })?;
        self.finish_shell(library, manifest, CacheKey::shell_library(&bytes))
    }

    fn finish_shell(
        &self,
        library: Retained<ProtocolObject<dyn MTLLibrary>>,
        manifest: &Manifest,
        key: CacheKey,
    ) -> Result<ShellLibrary> {
        let kernel = library
            .newFunctionWithName(&ns(&manifest.kernel))
            .ok_or_else(|| Error::MissingFunction {
                step: Step::ShellFunction,
                library: "shell",
                name: manifest.kernel.clone(),
                available: strings(&library.functionNames()),
            })?;
        Ok(ShellLibrary {
            library,
            kernel,
            manifest: manifest.clone(),
            key,
        })
    }

    /// Checks `source`'s `[[visible]]` prototypes against `manifest`, then
    /// compiles it (`newLibraryWithSource:options:`).
    ///
    /// # Errors
    /// [`Step::CheckSignatures`] naming each missing or mismatching
    /// function with both signatures; [`Step::CompileMsl`] with Metal's
    /// diagnostics at MSL line and column.
    pub fn compile_visible(
        &self,
        manifest: &Manifest,
        source: &str,
        options: &CompileOptions,
    ) -> Result<VisibleLibrary> {
        let report = check_signatures(manifest, source)?;
        self.compile_unchecked(source, options, report.source)
    }

    /// Compiles MSL without the signature check (for sources that are not
    /// linked into a shell, or whose types the checker does not know).
    ///
    /// # Errors
    /// [`Step::CompileMsl`] with Metal's diagnostics.
    pub fn compile_unchecked(
        &self,
        source: &str,
        options: &CompileOptions,
        parsed: MslSource,
    ) -> Result<VisibleLibrary> {
        let opts = MTLCompileOptions::new();
        opts.setLanguageVersion(MTLLanguageVersion(options.language_version.raw() as usize));
        // `fastMathEnabled` exists on every OS the targets cover; its
        // replacement `mathMode` needs macOS 15 / iOS 18.
        #[allow(deprecated)]
        opts.setFastMathEnabled(options.fast_math);
        let library = self
            .raw()
            .newLibraryWithSource_options_error(&ns(source), Some(&opts))
            .map_err(|e| Error::Compile {
                log: CompileLog::parse(&describe(&e), 0),
            })?;
        Ok(VisibleLibrary {
            library,
            source: parsed,
            options: options.clone(),
        })
    }
}
