//! The device, its command queue, buffers and dispatch.

use std::ffi::c_void;
use std::ptr::NonNull;
use std::time::{Duration, Instant};

use objc2::rc::{autoreleasepool, Retained};
use objc2::runtime::ProtocolObject;
use objc2_metal::{
    MTLCommandBuffer, MTLCommandBufferStatus, MTLCommandEncoder, MTLCommandQueue,
    MTLComputeCommandEncoder, MTLCreateSystemDefaultDevice, MTLDevice, MTLGPUFamily, MTLSize,
};

use super::buffer::{Buffer, RawBuffer};
use super::describe;
use super::pipeline::Pipeline;
use crate::bind::{plan_bindings, Arg, Binding, Element, Grid};
use crate::doctor::DeviceInfo;
use crate::error::{Error, Result, Step};

/// A Metal device with one command queue.
#[derive(Debug, Clone)]
pub struct Device {
    raw: Retained<ProtocolObject<dyn MTLDevice>>,
    queue: Retained<ProtocolObject<dyn MTLCommandQueue>>,
}

/// What a dispatch took.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DispatchInfo {
    /// Wall time from encoding to completion. (GPU timestamps would need
    /// objc2-metal's `objc2-core-foundation` feature; not worth the
    /// dependency yet.)
    pub wall: Duration,
}

const FAMILIES: &[(&str, MTLGPUFamily)] = &[
    ("Apple1", MTLGPUFamily::Apple1),
    ("Apple2", MTLGPUFamily::Apple2),
    ("Apple3", MTLGPUFamily::Apple3),
    ("Apple4", MTLGPUFamily::Apple4),
    ("Apple5", MTLGPUFamily::Apple5),
    ("Apple6", MTLGPUFamily::Apple6),
    ("Apple7", MTLGPUFamily::Apple7),
    ("Apple8", MTLGPUFamily::Apple8),
    ("Apple9", MTLGPUFamily::Apple9),
    ("Apple10", MTLGPUFamily::Apple10),
    ("Mac2", MTLGPUFamily::Mac2),
    ("Common1", MTLGPUFamily::Common1),
    ("Common2", MTLGPUFamily::Common2),
    ("Common3", MTLGPUFamily::Common3),
    ("Metal3", MTLGPUFamily::Metal3),
    ("Metal4", MTLGPUFamily::Metal4),
];

impl Device {
    /// The system default device (`MTLCreateSystemDefaultDevice`) and a
    /// new command queue on it.
    ///
    /// # Errors
    /// [`Step::Device`] when there is no Metal device or no queue.
    pub fn system_default() -> Result<Device> {
        let raw = MTLCreateSystemDefaultDevice().ok_or_else(|| Error::Unavailable {
            step: Step::Device,
            message: "MTLCreateSystemDefaultDevice returned nil (no Metal device)".to_string(),
        })?;
        Device::with(raw)
    }

    /// Wraps a device and creates its command queue.
    ///
    /// # Errors
    /// [`Step::Device`] when no queue can be made.
    pub fn with(raw: Retained<ProtocolObject<dyn MTLDevice>>) -> Result<Device> {
        let queue = raw
            .newCommandQueue()
            .ok_or_else(|| Error::metal(Step::Device, "newCommandQueue returned nil"))?;
        Ok(Device { raw, queue })
    }

    /// The Metal device.
    pub fn raw(&self) -> &ProtocolObject<dyn MTLDevice> {
        &self.raw
    }

    /// Name, GPU families and limits.
    pub fn info(&self) -> DeviceInfo {
        DeviceInfo {
            name: self.raw.name().to_string(),
            families: FAMILIES
                .iter()
                .filter(|(_, f)| self.raw.supportsFamily(*f))
                .map(|(n, _)| (*n).to_string())
                .collect(),
            unified_memory: self.raw.hasUnifiedMemory(),
            function_pointers: self.raw.supportsFunctionPointers(),
            max_threadgroup_memory: self.raw.maxThreadgroupMemoryLength() as u64,
        }
    }

    /// A shared buffer holding a copy of `data`.
    ///
    /// # Errors
    /// [`Step::CreateBuffer`] for empty data or when Metal returns nil.
    pub fn buffer_from_slice<T: Element>(&self, data: &[T]) -> Result<Buffer<T>> {
        Buffer::from_slice(&self.raw, data)
    }

    /// A zero-filled shared buffer of `len` elements.
    ///
    /// # Errors
    /// [`Step::CreateBuffer`] for zero length or when Metal returns nil.
    pub fn buffer_zeroed<T: Element>(&self, len: usize) -> Result<Buffer<T>> {
        Buffer::zeroed(&self.raw, len)
    }

    /// Binds `args` by the pipeline's manifest, dispatches `grid` with the
    /// manifest's threads per threadgroup, and waits for completion.
    ///
    /// # Errors
    /// [`Step::Bind`] when the arguments do not fit the manifest;
    /// [`Step::Encode`] when Metal returns no command buffer or encoder;
    /// [`Step::Execute`] when the command buffer ends in error.
    pub fn dispatch(
        &self,
        pipeline: &Pipeline,
        args: &[(&str, Arg<'_, RawBuffer>)],
        grid: Grid,
    ) -> Result<DispatchInfo> {
        grid.validate()?;
        let bindings = plan_bindings(pipeline.manifest(), args)?;
        let [tx, ty, tz] = pipeline.manifest().threadgroup_size;
        let per_group = MTLSize {
            width: tx as usize,
            height: ty as usize,
            depth: tz as usize,
        };
        let start = Instant::now();
        autoreleasepool(|_| {
            let cmd = self
                .queue
                .commandBuffer()
                .ok_or_else(|| Error::metal(Step::Encode, "commandBuffer returned nil"))?;
            let enc = cmd
                .computeCommandEncoder()
                .ok_or_else(|| Error::metal(Step::Encode, "computeCommandEncoder returned nil"))?;
            enc.setComputePipelineState(pipeline.state());
            for b in &bindings {
                match b {
                    Binding::Buffer { index, buffer, .. } => {
                        // SAFETY: the buffer is alive (borrowed for the
                        // call, and the encoder retains it), offset 0 is in
                        // range, and the index is a manifest slot below 31.
                        unsafe {
                            enc.setBuffer_offset_atIndex(Some(&buffer.mtl), 0, *index as usize)
                        };
                    }
                    Binding::Bytes { index, bytes, .. } => {
                        let ptr = NonNull::from(bytes.as_slice()).cast::<c_void>();
                        // SAFETY: `ptr` points at `bytes.len()` initialised
                        // bytes (at most 8, far below setBytes' 4 KiB
                        // limit); Metal copies them during the call.
                        unsafe { enc.setBytes_length_atIndex(ptr, bytes.len(), *index as usize) };
                    }
                }
            }
            match grid {
                Grid::Threads([x, y, z]) => enc.dispatchThreads_threadsPerThreadgroup(
                    MTLSize {
                        width: x as usize,
                        height: y as usize,
                        depth: z as usize,
                    },
                    per_group,
                ),
                Grid::Threadgroups([x, y, z]) => enc.dispatchThreadgroups_threadsPerThreadgroup(
                    MTLSize {
                        width: x as usize,
                        height: y as usize,
                        depth: z as usize,
                    },
                    per_group,
                ),
            }
            enc.endEncoding();
            cmd.commit();
            cmd.waitUntilCompleted();
            let status = cmd.status();
            if status != MTLCommandBufferStatus::Completed {
                let message = cmd.error().map_or_else(
                    || format!("the command buffer ended with status {}", status.0),
                    |e| describe(&e),
                );
                return Err(Error::metal(Step::Execute, message));
            }
            Ok(DispatchInfo {
                wall: start.elapsed(),
            })
        })
    }
}
