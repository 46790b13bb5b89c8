//! mjdesk as its own AppImage runtime.
//!
//! An AppImage (type 2) is an ELF program followed by a SquashFS image holding `AppRun`, the
//! desktop entry and the icon; bytes 8-10 of the ELF header (padding the kernel ignores) read
//! `AI\x02`, and the image starts where the ELF ends (after its section header table).
//! `packaging/build.sh` makes mjdesk's AppImage with mjdesk itself as that program: starting
//! the file starts mjdesk at once, with no FUSE mount and nothing unpacked, while desktop
//! integrators read the entry and the icon from the appended image as from any AppImage.
//! This module answers the runtime's own options on such a file: `--appimage-offset`,
//! `--appimage-extract`, `--appimage-help` and `--appimage-version`.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, ExitCode};

/// Where the appended image starts, from the first 64 bytes of the file: `None` unless they
/// are a 64-bit little-endian ELF header marked as an AppImage of type 2.
pub fn payload_offset(head: &[u8]) -> Option<u64> {
    let head = head.get(..64)?;
    let elf64_le = head[..4] == *b"\x7fELF" && head[4] == 2 && head[5] == 1;
    if !elf64_le || head[8..11] != *b"AI\x02" {
        return None;
    }
    let u16_at = |at: usize| u64::from(u16::from_le_bytes([head[at], head[at + 1]]));
    let mut shoff = [0u8; 8];
    shoff.copy_from_slice(&head[0x28..0x30]);
    let shoff = u64::from_le_bytes(shoff);
    // e_shentsize * e_shnum: the section header table, which ends the ELF
    shoff.checked_add(u16_at(0x3A) * u16_at(0x3C))
}

/// Answers `--appimage-*` when it is the first argument; `None` for every other command line.
/// (A file name that is not UTF-8 is never an option, and is left to the command line.)
pub fn handle(args: &[OsString]) -> Option<ExitCode> {
    let option = args.get(1).and_then(|a| a.to_str()).filter(|a| a.starts_with("--appimage-"))?;
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return Some(fail(&format!("cannot find this program's file: {e}"))),
    };
    let offset = match read_head(&exe) {
        Some(offset) => offset,
        None => return Some(fail(&format!("{option} works only on mjdesk's AppImage, and this is not one"))),
    };
    Some(match option {
        "--appimage-offset" => {
            println!("{offset}");
            ExitCode::SUCCESS
        }
        "--appimage-extract" => extract(&exe, offset, args.get(2)),
        "--appimage-version" => {
            println!("mjdesk {} (mjdesk is its own AppImage runtime)", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        "--appimage-help" => {
            println!(
                "mjdesk's AppImage runs mjdesk directly: nothing is mounted or unpacked.\n\
                 --appimage-offset            print where the SquashFS image starts\n\
                 --appimage-extract [PATH]    unpack the image (or PATH in it) into ./squashfs-root\n\
                 --appimage-version           print the version\n\
                 --appimage-help              print this"
            );
            ExitCode::SUCCESS
        }
        other => fail(&format!("unknown AppImage option {other} (see --appimage-help)")),
    })
}

fn read_head(exe: &Path) -> Option<u64> {
    use std::io::Read;
    let mut head = [0u8; 64];
    std::fs::File::open(exe).ok()?.read_exact(&mut head).ok()?;
    payload_offset(&head)
}

/// Unpacks with `unsquashfs` (squashfs-tools), which reads the image in place at its offset.
fn extract(exe: &Path, offset: u64, only: Option<&OsString>) -> ExitCode {
    let mut cmd = Command::new("unsquashfs");
    cmd.args(["-q", "-n", "-f", "-o", &offset.to_string(), "-d", "squashfs-root"]).arg(exe);
    cmd.args(only);
    match cmd.status() {
        Ok(status) if status.success() => {
            println!("unpacked into squashfs-root/ (start it with squashfs-root/AppRun)");
            ExitCode::SUCCESS
        }
        Ok(status) => fail(&format!("unsquashfs failed ({status})")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => fail(&format!(
            "unpacking needs unsquashfs (Debian: apt install squashfs-tools): it is not installed; \
             or run: unsquashfs -o {offset} {}",
            exe.display()
        )),
        Err(e) => fail(&format!("could not start unsquashfs: {e}")),
    }
}

fn fail(line: &str) -> ExitCode {
    eprintln!("mjdesk: {line}");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(shoff: u64, shentsize: u16, shnum: u16) -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2;
        h[5] = 1;
        h[8..11].copy_from_slice(b"AI\x02");
        h[0x28..0x30].copy_from_slice(&shoff.to_le_bytes());
        h[0x3A..0x3C].copy_from_slice(&shentsize.to_le_bytes());
        h[0x3C..0x3E].copy_from_slice(&shnum.to_le_bytes());
        h
    }

    #[test]
    fn the_image_starts_after_the_section_header_table() {
        assert_eq!(payload_offset(&header(1_000_000, 64, 30)), Some(1_000_000 + 64 * 30));
    }

    #[test]
    fn only_a_marked_64_bit_little_endian_elf_is_an_appimage() {
        let mut unmarked = header(100, 64, 2);
        unmarked[8..11].copy_from_slice(&[0, 0, 0]);
        assert_eq!(payload_offset(&unmarked), None);
        let mut elf32 = header(100, 64, 2);
        elf32[4] = 1;
        assert_eq!(payload_offset(&elf32), None);
        let mut big_endian = header(100, 64, 2);
        big_endian[5] = 2;
        assert_eq!(payload_offset(&big_endian), None);
        assert_eq!(payload_offset(b"#!/bin/sh\n"), None);
        assert_eq!(payload_offset(&header(u64::MAX, 64, 2)), None, "an offset past u64 is no offset");
    }

    #[test]
    fn the_running_test_binary_is_not_an_appimage() {
        let exe = std::env::current_exe().unwrap();
        assert_eq!(read_head(&exe), None);
    }
}
