//! Gives freed image memory back to the system. glibc's allocator raises its mmap threshold
//! each time a large block is freed, so after a few images most pixel buffers and texture
//! uploads land on the heap, where freed memory stays resident. Measured with
//! `benches/window-memory.sh` (2048 px grids, 8 full images kept): 472 MB resident at the end
//! with glibc's default, 316 MB with the threshold fixed at 128 KiB (its starting value).
//!
//! Fixing that threshold also fixes glibc's trim threshold at its starting 128 KiB, so the
//! heap was shrunk after every frame and grown again, page by page, in the next one: a third
//! of the window's own time while a clip played (perf: `brk` and page faults). The trim
//! threshold is set to 8 MiB, so the heap keeps what one frame needs.

/// Keeps blocks of 128 KiB and more in their own mappings, returned to the system when freed,
/// and up to 8 MiB free at the heap's top.
/// Call once at start, before other threads. Does nothing off glibc. Returns whether the
/// allocator took the setting.
pub fn return_large_frees_to_the_system() -> bool {
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    return false;
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        /// glibc's `M_MMAP_THRESHOLD` (malloc.h); setting it also stops the dynamic raise.
        const M_MMAP_THRESHOLD: std::ffi::c_int = -3;
        /// glibc's `M_TRIM_THRESHOLD`: free memory at the heap's top kept for reuse.
        const M_TRIM_THRESHOLD: std::ffi::c_int = -1;
        unsafe extern "C" {
            fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
        }
        // SAFETY: mallopt only changes the allocator's tuning; it is safe to call at any time.
        let ok = unsafe { mallopt(M_MMAP_THRESHOLD, 128 * 1024) & mallopt(M_TRIM_THRESHOLD, 8 << 20) };
        if ok != 1 {
            tracing::debug!("mallopt(M_MMAP_THRESHOLD or M_TRIM_THRESHOLD) was refused");
        }
        ok == 1
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_takes_the_threshold() {
        assert!(super::return_large_frees_to_the_system());
    }
}
