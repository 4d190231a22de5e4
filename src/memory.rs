//! The server's memory between requests (glibc's allocator; elsewhere nothing to do).

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    use std::os::raw::c_int;

    extern "C" {
        pub fn mallopt(param: c_int, value: c_int) -> c_int;
        pub fn malloc_trim(pad: usize) -> c_int;
    }

    /// `M_MMAP_THRESHOLD` in glibc's malloc.h.
    pub const M_MMAP_THRESHOLD: c_int = -3;
}

/// Blocks of 1 MiB and more are mapped for themselves and given back when freed. glibc
/// otherwise raises that threshold to the largest block freed so far: after the first
/// sign-in, argon2's 19 MB of working memory stayed in a thread's heap for good (RSS
/// +19 MB per thread that ever checked a password).
pub fn configure() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's settings; it takes no pointers.
    unsafe {
        glibc::mallopt(glibc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Hands back to the system the memory that start-up work freed — loading the
/// demonstration programmes allocates some 40 MB the allocator would otherwise keep for
/// the life of the process (RSS 66 MB instead of 29 MB before the first request).
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator's own heaps to the
    // system; it takes no pointers and may be called from any thread at any time.
    unsafe {
        glibc::malloc_trim(0);
    }
}
