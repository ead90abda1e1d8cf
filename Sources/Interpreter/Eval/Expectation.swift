/// The name of the `expect` built-in, which the evaluator runs itself: a check is a record in
/// the host's report (ok, or failed with its message), not a value an op computes.
public enum Expectation {
    public static let opName = "expect"
}
