//! SHA-256 and SHA-512 from the system's OpenSSL (libcrypto), loaded at run time when it
//! is there, for the large inputs a signature covers.
//!
//! Why: hashing is all the time that signing or verifying a large file takes, and
//! OpenSSL's SHA-512 (hand-scheduled AVX2 and BMI2 assembly), which ssh-keygen uses, is
//! about 40% faster on x86-64 than every Rust implementation available (ring's and the
//! sha2 crate's AVX2 backend run at the same speed; measured, see BENCHMARKS.md). A
//! machine with ssh-keygen has libcrypto, so keywright hashes a 100 MiB file as fast as
//! ssh-keygen does. Why loaded and not linked: the build then needs no OpenSSL headers
//! and the binary runs where there is no libcrypto (ring hashes instead, with the same
//! result); and a small input, most of what git signs, never pays for loading it.
//!
//! Only the EVP digest calls of OpenSSL 1.1 and 3 are used, whose signatures have not
//! changed since 1.1.0; the unit tests compare every result with ring's.

#![allow(unsafe_code)]

use std::ffi::{CStr, c_int, c_uint, c_void};
use std::ptr::NonNull;
use std::sync::OnceLock;

use nix::libc;
use ssh_key::HashAlg;

/// The library names tried, newest first (the runtime package's soname, not the
/// development symlink `libcrypto.so`, which only a -dev package installs).
const SONAMES: [&CStr; 2] = [c"libcrypto.so.3", c"libcrypto.so.1.1"];

type MdCtxNew = unsafe extern "C" fn() -> *mut c_void;
type MdCtxFree = unsafe extern "C" fn(*mut c_void);
type Md = unsafe extern "C" fn() -> *const c_void;
type DigestInit = unsafe extern "C" fn(*mut c_void, *const c_void, *mut c_void) -> c_int;
type DigestUpdate = unsafe extern "C" fn(*mut c_void, *const c_void, usize) -> c_int;
type DigestFinal = unsafe extern "C" fn(*mut c_void, *mut u8, *mut c_uint) -> c_int;

/// The functions used, resolved once.
struct Api {
    ctx_new: MdCtxNew,
    ctx_free: MdCtxFree,
    sha256: Md,
    sha512: Md,
    init: DigestInit,
    update: DigestUpdate,
    finish: DigestFinal,
}

/// The library's functions, or `None` when it cannot be loaded (loaded at most once; the
/// library stays loaded for the life of the process).
fn api() -> Option<&'static Api> {
    static API: OnceLock<Option<Api>> = OnceLock::new();
    API.get_or_init(load).as_ref()
}

fn load() -> Option<Api> {
    let handle = SONAMES.iter().find_map(|name| {
        // SAFETY: dlopen takes a NUL-terminated name; loading libcrypto runs only its
        // own initialisers, which are safe to run in any process.
        let handle = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        NonNull::new(handle)
    })?;
    let symbol = |name: &CStr| {
        // SAFETY: the handle is open and never closed; the name is NUL-terminated.
        NonNull::new(unsafe { libc::dlsym(handle.as_ptr(), name.as_ptr()) })
    };
    // SAFETY: each symbol is the OpenSSL function of that name, whose C signature is the
    // type it is cast to (unchanged in OpenSSL 1.1.0 to 3.x).
    unsafe {
        Some(Api {
            ctx_new: std::mem::transmute::<*mut c_void, MdCtxNew>(symbol(c"EVP_MD_CTX_new")?.as_ptr()),
            ctx_free: std::mem::transmute::<*mut c_void, MdCtxFree>(symbol(c"EVP_MD_CTX_free")?.as_ptr()),
            sha256: std::mem::transmute::<*mut c_void, Md>(symbol(c"EVP_sha256")?.as_ptr()),
            sha512: std::mem::transmute::<*mut c_void, Md>(symbol(c"EVP_sha512")?.as_ptr()),
            init: std::mem::transmute::<*mut c_void, DigestInit>(symbol(c"EVP_DigestInit_ex")?.as_ptr()),
            update: std::mem::transmute::<*mut c_void, DigestUpdate>(symbol(c"EVP_DigestUpdate")?.as_ptr()),
            finish: std::mem::transmute::<*mut c_void, DigestFinal>(symbol(c"EVP_DigestFinal_ex")?.as_ptr()),
        })
    }
}

/// A SHA-2 computation in progress in libcrypto.
pub struct Sha {
    api: &'static Api,
    ctx: NonNull<c_void>,
    /// Whether a call failed (then the result is not trusted).
    failed: bool,
}

impl Sha {
    /// A new SHA-256 or SHA-512 computation, or `None` when libcrypto is not there (or
    /// would not start one).
    pub fn new(alg: HashAlg) -> Option<Self> {
        let api = api()?;
        // SAFETY: plain calls of the loaded functions; the context is freed on drop.
        unsafe {
            let ctx = NonNull::new((api.ctx_new)())?;
            let sha = Self { api, ctx, failed: false };
            let md = match alg {
                HashAlg::Sha256 => (api.sha256)(),
                _ => (api.sha512)(),
            };
            ((api.init)(ctx.as_ptr(), md, std::ptr::null_mut()) == 1).then_some(sha)
        }
    }

    /// Hashes `data` next.
    pub fn update(&mut self, data: &[u8]) {
        // SAFETY: the context was initialised; the pointer and length are a live slice.
        let ok = unsafe { (self.api.update)(self.ctx.as_ptr(), data.as_ptr().cast(), data.len()) };
        self.failed |= ok != 1;
    }

    /// The digest (32 or 64 bytes at the start of the array), or `None` when a call
    /// failed.
    pub fn finish(mut self) -> Option<[u8; 64]> {
        let mut out = [0u8; 64];
        let mut len: c_uint = 0;
        // SAFETY: the output holds the largest digest (EVP_MAX_MD_SIZE is 64).
        let ok = unsafe { (self.api.finish)(self.ctx.as_ptr(), out.as_mut_ptr(), &mut len) };
        self.failed |= ok != 1 || !matches!(len, 32 | 64);
        (!self.failed).then_some(out)
    }
}

impl Drop for Sha {
    fn drop(&mut self) {
        // SAFETY: the context came from EVP_MD_CTX_new and is freed once.
        unsafe { (self.api.ctx_free)(self.ctx.as_ptr()) }
    }
}

// SAFETY: an EVP_MD_CTX is used by one thread at a time (it is owned), which OpenSSL
// allows from any thread.
unsafe impl Send for Sha {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where libcrypto is loaded, its digests are ring's, whatever the lengths.
    #[test]
    fn libcrypto_hashes_as_ring_does() {
        let Some(_) = api() else { return };
        let data: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        for (alg, ring_alg) in
            [(HashAlg::Sha256, &ring::digest::SHA256), (HashAlg::Sha512, &ring::digest::SHA512)]
        {
            for cut in [0, 1, 127, 128, 129, 4096, 299_999] {
                let mut sha = Sha::new(alg).unwrap();
                sha.update(&data[..cut]);
                sha.update(&data[cut..]);
                let ours = sha.finish().unwrap();
                let expected = ring::digest::digest(ring_alg, &data);
                assert_eq!(&ours[..expected.as_ref().len()], expected.as_ref(), "{alg} cut {cut}");
            }
        }
    }

    /// The test machine has OpenSSH, so it has libcrypto: the fast path is tested, not
    /// skipped.
    #[test]
    fn libcrypto_loads_where_ssh_keygen_runs() {
        if std::path::Path::new("/usr/bin/ssh-keygen").exists() {
            assert!(api().is_some());
        }
    }
}
