import DSL
import Synchronization

/// The values of a run's `secret` params, and the one place that masks them out of what a
/// run shows: logs, diffs, commands, reasons, errors, the `--json` report.
///
/// Masking goes by value, so a secret is hidden wherever it ends up: in a line built around
/// it (`"password=${db_password}"`), in a file's diff, in the text of an error.
public final class SecretMask: Sendable {
    public static let placeholder = "********"
    private let secrets = Mutex<[String]>([])

    public init() {}

    /// Adds a secret value (an empty one hides nothing).
    public func add(_ secret: String) {
        guard !secret.isEmpty else { return }
        // As written in a message (`Value.quoted`: escapes for `\n`, `"`...) too.
        let quoted = String(Value.quoted(secret).dropFirst().dropLast())
        secrets.withLock { list in
            for form in [secret, quoted] where !list.contains(form) { list.append(form) }
            list.sort { $0.utf8.count > $1.utf8.count }
        }
    }

    public var isEmpty: Bool { secrets.withLock { $0.isEmpty } }

    /// The text with every secret replaced by `placeholder`.
    public func mask(_ text: String) -> String {
        secrets.withLock { list in
            list.reduce(text) { masked, secret in masked.replacingAll(secret, with: Self.placeholder) }
        }
    }

    /// Whether the bytes hold a secret.
    public func appears(in bytes: [UInt8]?) -> Bool {
        guard let bytes, !bytes.isEmpty else { return false }
        let text = String(decoding: bytes, as: UTF8.self)
        return secrets.withLock { list in list.contains { text.contains($0) } }
    }

    /// The record as shown: diff, commands, reason and error masked.
    func masked(_ record: OpRecord) -> OpRecord {
        guard !isEmpty else { return record }
        var record = record
        record.diff = mask(record.diff)
        record.commands = record.commands.map(mask)
        record.reason = record.reason.map(mask)
        record.error = record.error.map(mask)
        record.output = record.output.map { output in
            var output = output
            output.command = mask(output.command)
            output.stdout = mask(output.stdout)
            output.stderr = mask(output.stderr)
            return output
        }
        return record
    }
}

extension ParamDecl {
    /// `param db_password: secret`: a string whose value is never shown.
    public var isSecret: Bool {
        if case .named(let name)? = type { return name.name == ValueType.secretTypeName }
        return false
    }
}
