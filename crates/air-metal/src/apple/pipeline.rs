//! Linked compute pipelines, the pipeline cache and the optional binary
//! archive.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use air_shell::Manifest;
use objc2::rc::Retained;
use objc2::runtime::ProtocolObject;
use objc2_foundation::{NSArray, NSURL};
use objc2_metal::{
    MTLBinaryArchive, MTLBinaryArchiveDescriptor, MTLComputePipelineDescriptor,
    MTLComputePipelineState, MTLDevice, MTLFunction, MTLLinkedFunctions, MTLPipelineOption,
};

use super::{describe, ns, Device, ShellLibrary, VisibleLibrary};
use crate::cache::{Cache, CacheKey};
use crate::error::{Error, Result, Step};
use crate::options::{CompileOptions, FunctionConstants, LinkMode};

/// A compute pipeline with the manifest its dispatches bind by.
#[derive(Debug, Clone)]
pub struct Pipeline {
    state: Retained<ProtocolObject<dyn MTLComputePipelineState>>,
    manifest: Arc<Manifest>,
}

impl Pipeline {
    /// The pipeline state.
    pub fn state(&self) -> &ProtocolObject<dyn MTLComputePipelineState> {
        &self.state
    }

    /// The shell's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// `maxTotalThreadsPerThreadgroup`.
    pub fn max_threads_per_threadgroup(&self) -> usize {
        self.state.maxTotalThreadsPerThreadgroup()
    }

    /// `staticThreadgroupMemoryLength` (the shell's global).
    pub fn static_threadgroup_memory(&self) -> usize {
        self.state.staticThreadgroupMemoryLength()
    }
}

/// An on-disk `MTLBinaryArchive` pipelines are added to.
///
/// **Unverified:** whether Metal archives pipelines with linked private
/// functions, and whether later builds hit the archive, has not been
/// tested (no Mac). Shells are deterministic, so identical inputs give
/// identical descriptors.
#[derive(Debug)]
pub struct BinaryArchive {
    raw: Retained<ProtocolObject<dyn MTLBinaryArchive>>,
    path: PathBuf,
}

impl BinaryArchive {
    /// Opens the archive at `path`, or an empty one if the file does not
    /// exist yet.
    ///
    /// # Errors
    /// [`Step::BinaryArchive`] when Metal cannot open it.
    pub fn open(device: &Device, path: &Path) -> Result<BinaryArchive> {
        let desc = MTLBinaryArchiveDescriptor::new();
        if path.exists() {
            desc.setUrl(Some(&NSURL::fileURLWithPath(&ns(&path.to_string_lossy()))));
        }
        let raw = device
            .raw()
            .newBinaryArchiveWithDescriptor_error(&desc)
            .map_err(|e| {
                Error::metal(
                    Step::BinaryArchive,
                    format!("{}: {}", path.display(), describe(&e)),
                )
            })?;
        Ok(BinaryArchive {
            raw,
            path: path.to_path_buf(),
        })
    }

    /// Writes the archive to its path.
    ///
    /// # Errors
    /// [`Step::BinaryArchive`] when Metal cannot serialise it.
    pub fn save(&self) -> Result<()> {
        let url = NSURL::fileURLWithPath(&ns(&self.path.to_string_lossy()));
        self.raw.serializeToURL_error(&url).map_err(|e| {
            Error::metal(
                Step::BinaryArchive,
                format!("{}: {}", self.path.display(), describe(&e)),
            )
        })
    }
}

impl Device {
    /// Builds the pipeline of `shell`'s kernel with every manifest visible
    /// function from `visible` (specialised with `constants`) linked in as
    /// `link` says.
    ///
    /// # Errors
    /// [`Step::VisibleFunction`] / [`Step::FunctionConstants`] for the
    /// functions; [`Step::CreatePipeline`] with Metal's message, or when
    /// the manifest's threadgroup size exceeds the pipeline's limit.
    pub fn link_pipeline(
        &self,
        shell: &ShellLibrary,
        visible: &VisibleLibrary,
        constants: &FunctionConstants,
        link: LinkMode,
    ) -> Result<Pipeline> {
        self.link_pipeline_archived(shell, visible, constants, link, None)
    }

    /// [`Device::link_pipeline`], also using and filling `archive`.
    ///
    /// # Errors
    /// As [`Device::link_pipeline`]; [`Step::BinaryArchive`] when adding
    /// to the archive fails.
    pub fn link_pipeline_archived(
        &self,
        shell: &ShellLibrary,
        visible: &VisibleLibrary,
        constants: &FunctionConstants,
        link: LinkMode,
        archive: Option<&BinaryArchive>,
    ) -> Result<Pipeline> {
        let mut functions = Vec::new();
        for v in &shell.manifest().visible {
            functions.push(visible.function(&v.name, constants)?);
        }
        self.build(shell, &functions, link, archive)
    }

    /// The pipeline of a shell that calls no visible function (the
    /// probes; the "without linking" timing).
    ///
    /// # Errors
    /// [`Step::CreatePipeline`]; also when the manifest lists visible
    /// functions, which would be left unresolved.
    pub fn plain_pipeline(&self, shell: &ShellLibrary) -> Result<Pipeline> {
        if !shell.manifest().visible.is_empty() {
            return Err(Error::invalid(
                Step::CreatePipeline,
                format!(
                    "kernel `{}` calls visible functions ({}); link them with link_pipeline",
                    shell.manifest().kernel,
                    shell
                        .manifest()
                        .visible
                        .iter()
                        .map(|v| v.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        self.build(shell, &[], LinkMode::Private, None)
    }

    fn build(
        &self,
        shell: &ShellLibrary,
        functions: &[Retained<ProtocolObject<dyn MTLFunction>>],
        link: LinkMode,
        archive: Option<&BinaryArchive>,
    ) -> Result<Pipeline> {
        let manifest = shell.manifest();
        let desc = MTLComputePipelineDescriptor::new();
        desc.setComputeFunction(Some(shell.kernel()));
        desc.setLabel(Some(&ns(&manifest.kernel)));
        if !functions.is_empty() {
            let linked = MTLLinkedFunctions::new();
            let array = NSArray::from_retained_slice(functions);
            match link {
                LinkMode::Private => linked.setPrivateFunctions(Some(&array)),
                LinkMode::Functions => linked.setFunctions(Some(&array)),
            }
            desc.setLinkedFunctions(Some(&linked));
        }
        if let Some(archive) = archive {
            desc.setBinaryArchives(Some(&NSArray::from_retained_slice(std::slice::from_ref(
                &archive.raw,
            ))));
        }
        let state = self
            .raw()
            .newComputePipelineStateWithDescriptor_options_reflection_error(
                &desc,
                MTLPipelineOption::None,
                None,
            )
            .map_err(|e| {
                Error::metal(
                    Step::CreatePipeline,
                    format!(
                        "kernel `{}` with {} via {}: {}",
                        manifest.kernel,
                        if manifest.visible.is_empty() {
                            "no visible functions".to_string()
                        } else {
                            manifest
                                .visible
                                .iter()
                                .map(|v| format!("`{}`", v.name))
                                .collect::<Vec<_>>()
                                .join(", ")
                        },
                        link.name(),
                        describe(&e)
                    ),
                )
            })?;
        let [x, y, z] = manifest.threadgroup_size;
        let wanted = (x as usize) * (y as usize) * (z as usize);
        let max = state.maxTotalThreadsPerThreadgroup();
        if wanted > max {
            return Err(Error::invalid(
                Step::CreatePipeline,
                format!(
                    "the shell assumes {wanted} threads per threadgroup, the pipeline allows {max}"
                ),
            ));
        }
        if let Some(archive) = archive {
            archive
                .raw
                .addComputePipelineFunctionsWithDescriptor_error(&desc)
                .map_err(|e| Error::metal(Step::BinaryArchive, describe(&e)))?;
        }
        Ok(Pipeline {
            state,
            manifest: Arc::new(manifest.clone()),
        })
    }
}

/// A device with a pipeline cache keyed by content hashes (shell bytes,
/// kernel, MSL source, constants, compile options, link mode), and an
/// optional binary archive.
#[derive(Debug)]
pub struct Runtime {
    device: Device,
    pipelines: Cache<Pipeline>,
    archive: Option<BinaryArchive>,
}

impl Runtime {
    /// The system default device with an empty cache.
    ///
    /// # Errors
    /// [`Step::Device`].
    pub fn new() -> Result<Runtime> {
        Ok(Runtime::with_device(Device::system_default()?))
    }

    /// `device` with an empty cache.
    pub fn with_device(device: Device) -> Runtime {
        Runtime {
            device,
            pipelines: Cache::new(),
            archive: None,
        }
    }

    /// Also use (and fill) the binary archive at `path`; call
    /// [`Runtime::save_archive`] to write it.
    ///
    /// # Errors
    /// [`Step::BinaryArchive`].
    pub fn with_archive(mut self, path: &Path) -> Result<Runtime> {
        self.archive = Some(BinaryArchive::open(&self.device, path)?);
        Ok(self)
    }

    /// Writes the binary archive, if any.
    ///
    /// # Errors
    /// [`Step::BinaryArchive`].
    pub fn save_archive(&self) -> Result<()> {
        self.archive.as_ref().map_or(Ok(()), BinaryArchive::save)
    }

    /// The device.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The pipeline cache.
    pub fn cache(&self) -> &Cache<Pipeline> {
        &self.pipelines
    }

    /// The pipeline of the shell in `metallib` linked with `msl`'s visible
    /// functions: from the cache, or loaded, checked, compiled and linked.
    ///
    /// # Errors
    /// Any step of [`Device::load_shell`], [`Device::compile_visible`] and
    /// [`Device::link_pipeline`]; nothing is cached on error.
    pub fn pipeline(
        &self,
        metallib: &[u8],
        manifest: &Manifest,
        msl: &str,
        constants: &FunctionConstants,
        options: &CompileOptions,
        link: LinkMode,
    ) -> Result<Pipeline> {
        let key = CacheKey::pipeline(metallib, &manifest.kernel, msl, constants, options, link);
        self.pipelines.get_or_try_insert_with(key, || {
            let shell = self.device.load_shell(metallib, manifest)?;
            let visible = self.device.compile_visible(manifest, msl, options)?;
            self.device.link_pipeline_archived(
                &shell,
                &visible,
                constants,
                link,
                self.archive.as_ref(),
            )
        })
    }
}
