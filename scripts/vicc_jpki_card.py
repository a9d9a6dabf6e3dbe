#!/usr/bin/python3
"""The baseline card for the vpcd rate comparison: vsmartcard's own Python emulator (vicc,
Debian package python3-virtualsmartcard) holding the same application and file as onshi's
transport test card (harness/src/pcsc/test_card.rs), so both answer the same APDU script.

Usage: vicc_jpki_card.py PORT [FILE]
  connects to vpcd on localhost:PORT; EF 00 0A holds FILE's bytes (for example the world
  card's auth certificate, examples/card_rate.rs) or, without FILE, the test card's blob.

Debian bookworm's vicc does not start as packaged: its modules live in
/usr/lib/python3/site-packages/virtualsmartcard (not on sys.path), and it imports PyCrypto's
`Crypto` package, which bookworm only ships as pycryptodome under the name `Cryptodome`
(python3-pycryptodome). Both are fixed here before the import.
"""

import sys

VICC_DIR = "/usr/lib/python3/site-packages/virtualsmartcard"

JPKI_AID = bytes.fromhex("D392F000260100000001")
CERT_EF = 0x000A
BLOB_LEN = 1500


def certificate_blob():
    """The same 1500-byte DER object as test_card::certificate_blob."""
    inner = BLOB_LEN - 8
    return bytes([0x30, 0x82, 0x05, 0xD8, 0x04, 0x82, 0x05, 0xD4]) + bytes(
        i % 251 for i in range(inner)
    )


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: vicc_jpki_card.py PORT [FILE]")
    port = int(sys.argv[1])
    if len(sys.argv) == 3:
        with open(sys.argv[2], "rb") as f:
            content = f.read()
    else:
        content = certificate_blob()

    sys.path.insert(0, VICC_DIR)
    try:
        import Crypto  # noqa: F401  (a real PyCrypto/pycryptodome, if present)
    except ImportError:
        try:
            import Cryptodome
        except ImportError:
            sys.exit("vicc needs pycryptodome: apt-get install python3-pycryptodome")
        sys.modules["Crypto"] = Cryptodome

    import logging

    from virtualsmartcard.SmartcardFilesystem import DF, TransparentStructureEF
    from virtualsmartcard.VirtualSmartcard import VirtualICC

    vicc = VirtualICC(None, "iso7816", "localhost", port, logginglevel=logging.CRITICAL)
    mf = vicc.os.mf
    app = DF(parent=mf, fid=0xDF01, dfname=JPKI_AID)
    app.append(TransparentStructureEF(parent=app, fid=CERT_EF, data=content))
    mf.append(app)
    print("vicc: JPKI card connected to vpcd on port %d" % port, flush=True)
    vicc.run()


if __name__ == "__main__":
    main()
