//! The `onshi` command.

fn main() {
    println!("onshi {}", env!("CARGO_PKG_VERSION"));
}
