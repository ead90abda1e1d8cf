import Foundation

/// Which version of a file a cache holds: device, inode, size, mode, owner, and the
/// modification and status-change times. A rewrite renamed into place (`ssh-keygen -R`, an
/// editor), an append by another process, a `chmod` or `chown` each give another stamp, so
/// a cache whose stamp still matches `stat(2)` holds the bytes on disk and may skip
/// reading them. (An in-place rewrite to the same size within one tick of the kernel's
/// file clock would keep the stamp: nothing rewrites known_hosts or ssh_config so.)
struct FileStamp: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let mode: UInt32
    let owner: UInt32
    let group: UInt32
    let modified: timespec
    let changed: timespec

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        mode = UInt32(info.st_mode)
        owner = UInt32(info.st_uid)
        group = UInt32(info.st_gid)
        modified = info.st_mtim
        changed = info.st_ctim
    }

    /// The stamp of an open file: the version its descriptor reads.
    init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        self.init(info)
    }

    static func == (lhs: FileStamp, rhs: FileStamp) -> Bool {
        lhs.device == rhs.device && lhs.inode == rhs.inode && lhs.size == rhs.size
            && lhs.mode == rhs.mode && lhs.owner == rhs.owner && lhs.group == rhs.group
            && lhs.modified.tv_sec == rhs.modified.tv_sec && lhs.modified.tv_nsec == rhs.modified.tv_nsec
            && lhs.changed.tv_sec == rhs.changed.tv_sec && lhs.changed.tv_nsec == rhs.changed.tv_nsec
    }
}

/// What `stat(2)` says about a path now, for checking a cache against it.
enum FileState: Equatable, Sendable {
    case present(FileStamp)
    /// ENOENT: no such file (a missing known_hosts or ssh_config is an empty one).
    case missing
    /// Any other failure: no cache may be trusted; reading the file says what is wrong.
    case unknown

    init(path: String) {
        var info = stat()
        if stat(path, &info) == 0 {
            self = .present(FileStamp(info))
        } else {
            self = errno == ENOENT ? .missing : .unknown
        }
    }
}
