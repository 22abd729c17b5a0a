//! Typed shared-storage buffers.

use std::marker::PhantomData;
use std::ptr::NonNull;

use objc2::rc::Retained;
use objc2::runtime::ProtocolObject;
use objc2_metal::{MTLBuffer, MTLDevice, MTLResourceOptions};

use crate::bind::{Arg, BufferInfo, Element};
use crate::error::{Error, Result, Step};

/// An untyped buffer, as bindings see it.
#[derive(Debug)]
pub struct RawBuffer {
    pub(crate) mtl: Retained<ProtocolObject<dyn MTLBuffer>>,
    names: &'static [&'static str],
    byte_len: usize,
}

impl RawBuffer {
    /// The Metal buffer.
    pub fn mtl(&self) -> &ProtocolObject<dyn MTLBuffer> {
        &self.mtl
    }
}

impl BufferInfo for RawBuffer {
    fn element_names(&self) -> &'static [&'static str] {
        self.names
    }

    fn byte_len(&self) -> usize {
        self.byte_len
    }
}

/// A shared-storage (`StorageModeShared`) buffer of `len` elements of `T`.
#[derive(Debug)]
pub struct Buffer<T: Element> {
    raw: RawBuffer,
    len: usize,
    _t: PhantomData<T>,
}

impl<T: Element> Buffer<T> {
    pub(crate) fn from_slice(
        device: &ProtocolObject<dyn MTLDevice>,
        data: &[T],
    ) -> Result<Buffer<T>> {
        let bytes = std::mem::size_of_val(data);
        if bytes == 0 {
            return Err(Error::invalid(
                Step::CreateBuffer,
                "a buffer needs at least one element",
            ));
        }
        let ptr = NonNull::from(data).cast();
        // SAFETY: `ptr` points at `bytes` initialised bytes that stay alive
        // for the call; Metal copies them into the new buffer.
        let mtl = unsafe {
            device.newBufferWithBytes_length_options(
                ptr,
                bytes,
                MTLResourceOptions::StorageModeShared,
            )
        };
        Self::wrap(mtl, data.len(), bytes)
    }

    pub(crate) fn zeroed(device: &ProtocolObject<dyn MTLDevice>, len: usize) -> Result<Buffer<T>> {
        let bytes = len.checked_mul(std::mem::size_of::<T>()).unwrap_or(0);
        if bytes == 0 {
            return Err(Error::invalid(
                Step::CreateBuffer,
                "a buffer needs at least one element",
            ));
        }
        // New shared buffers are zero-filled.
        let mtl = device.newBufferWithLength_options(bytes, MTLResourceOptions::StorageModeShared);
        Self::wrap(mtl, len, bytes)
    }

    fn wrap(
        mtl: Option<Retained<ProtocolObject<dyn MTLBuffer>>>,
        len: usize,
        bytes: usize,
    ) -> Result<Buffer<T>> {
        let mtl = mtl.ok_or_else(|| {
            Error::metal(
                Step::CreateBuffer,
                format!("the device returned no buffer of {bytes} bytes"),
            )
        })?;
        Ok(Buffer {
            raw: RawBuffer {
                mtl,
                names: T::MSL,
                byte_len: bytes,
            },
            len,
            _t: PhantomData,
        })
    }

    /// Elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it has no elements (never: creation rejects that).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The untyped buffer.
    pub fn raw(&self) -> &RawBuffer {
        &self.raw
    }

    /// This buffer as a dispatch argument.
    pub fn arg(&self) -> Arg<'_, RawBuffer> {
        Arg::Buffer(&self.raw)
    }

    /// Copies the contents out. Call it after the dispatch that writes the
    /// buffer has completed ([`crate::apple::Device::dispatch`] waits).
    pub fn to_vec(&self) -> Vec<T> {
        let ptr = self.raw.mtl.contents().cast::<T>();
        // SAFETY: the buffer is shared storage of at least `len * size_of::<T>()`
        // bytes; `contents` is page-aligned, so aligned for `T`; every bit
        // pattern is a valid `T` (sealed `Element`: plain integers and
        // floats); no GPU work writes it now, because dispatches wait for
        // completion and `Buffer` is not `Send`.
        unsafe { std::slice::from_raw_parts(ptr.as_ptr(), self.len) }.to_vec()
    }

    /// Overwrites the contents from `data` (at most `len` elements).
    ///
    /// # Errors
    /// [`Step::CreateBuffer`] if `data` is longer than the buffer.
    pub fn write(&self, data: &[T]) -> Result<()> {
        if data.len() > self.len {
            return Err(Error::invalid(
                Step::CreateBuffer,
                format!(
                    "{} elements do not fit a buffer of {}",
                    data.len(),
                    self.len
                ),
            ));
        }
        let ptr = self.raw.mtl.contents().cast::<T>();
        // SAFETY: as in `to_vec`; the destination holds at least
        // `data.len()` elements and does not overlap `data`.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), ptr.as_ptr(), data.len()) };
        Ok(())
    }
}
