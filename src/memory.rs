//! The server's memory between requests.

/// Hands back to the system the memory that start-up work freed — loading the
/// demonstration programmes allocates some 40 MB that the C allocator would otherwise
/// keep for the life of the process (RSS 66 MB instead of 26 MB before the first
/// request). Only glibc has `malloc_trim`; elsewhere there is nothing to do.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: malloc_trim only returns free pages of the allocator's own heaps to the
        // system; it takes no pointers and is safe to call from any thread at any time.
        unsafe {
            malloc_trim(0);
        }
    }
}
