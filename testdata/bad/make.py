#!/usr/bin/env python3
"""Writes the malformed inputs of testdata/bad/ from the good keys in testdata/keys/.

Each file is one way an input can be wrong; testdata/bad/cases lists the command each is
given to and the exit status expected. Deterministic: running it again writes the same
bytes. Inputs too large to commit (100 MB) are made by the test itself.

    python3 testdata/bad/make.py
"""
import base64
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "..", "keys")
BEGIN = b"-----BEGIN OPENSSH PRIVATE KEY-----\n"
END = b"-----END OPENSSH PRIVATE KEY-----\n"


def key(name):
    with open(os.path.join(KEYS, name), "rb") as f:
        return f.read()


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def ssh_string(data):
    return struct.pack(">I", len(data)) + data


def read_string(blob, at):
    (length,) = struct.unpack(">I", blob[at:at + 4])
    return blob[at + 4:at + 4 + length], at + 4 + length


def armour(blob, begin=BEGIN, end=END):
    text = base64.b64encode(blob)
    lines = [text[i:i + 70] for i in range(0, len(text), 70)]
    return begin + b"\n".join(lines) + b"\n" + end


def openssh_fields(text):
    """The fields of an OpenSSH private key file (PROTOCOL.key)."""
    body = b"".join(l for l in text.splitlines() if not l.startswith(b"-----"))
    blob = base64.b64decode(body)
    magic = b"openssh-key-v1\0"
    assert blob.startswith(magic)
    at = len(magic)
    cipher, at = read_string(blob, at)
    kdf, at = read_string(blob, at)
    kdf_options, at = read_string(blob, at)
    (count,) = struct.unpack(">I", blob[at:at + 4])
    public, at = read_string(blob, at + 4)
    private, at = read_string(blob, at)
    return dict(magic=magic, cipher=cipher, kdf=kdf, kdf_options=kdf_options, count=count,
                public=public, private=private)


def openssh_blob(f):
    return (f["magic"] + ssh_string(f["cipher"]) + ssh_string(f["kdf"]) +
            ssh_string(f["kdf_options"]) + struct.pack(">I", f["count"]) +
            ssh_string(f["public"]) + ssh_string(f["private"]))


def openssh_variant(**changes):
    f = openssh_fields(key("id_ed25519"))
    f.update(changes)
    return armour(openssh_blob(f))


def private_keys():
    ed = key("id_ed25519")
    fields = openssh_fields(ed)
    lines = ed.splitlines(keepends=True)
    write("openssh_cut_in_half", b"".join(lines[:len(lines) // 2]))
    write("openssh_blob_cut_short", b"".join(lines[:3]) + END)
    write("openssh_bad_base64_char", ed.replace(lines[2], lines[2][:10] + b"!" + lines[2][11:]))
    bad_magic = dict(fields, magic=b"openssh-key-v2\0")
    write("openssh_wrong_magic", armour(openssh_blob(bad_magic)))
    private = fields["private"]
    write("openssh_check_bytes_differ", openssh_variant(private=private[:4] + b"\xff\xff\xff\xff" + private[8:]))
    write("openssh_two_keys", openssh_variant(count=2))
    write("openssh_zero_keys", openssh_variant(count=0))
    write("openssh_unknown_cipher", openssh_variant(cipher=b"des-cbc", kdf=b"bcrypt",
                                                     kdf_options=ssh_string(b"s" * 16) + struct.pack(">I", 16)))
    write("openssh_unknown_kdf", openssh_variant(cipher=b"aes256-ctr", kdf=b"scrypt", kdf_options=b""))
    other = base64.b64decode(key("id_ed25519_enc.pub").split()[1])
    write("openssh_public_half_differs", openssh_variant(public=other))
    write("openssh_bad_padding", openssh_variant(private=private[:-1] + b"\x09"))
    write("openssh_section_length_lies", openssh_variant(private=private[:len(private) // 2]))
    write("openssh_unknown_key_type", openssh_variant(public=ssh_string(b"ssh-foo") + ssh_string(b"x" * 32)))
    write("openssh_end_line_only", END)
    write("openssh_crlf_body_cut", ed.replace(b"\n", b"\r\n")[:200])
    write("openssh_utf16", ("\ufeff" + ed.decode()).encode("utf-16-le"))
    write("openssh_after_bom_only", b"\xef\xbb\xbf")
    write("nul_bytes", b"\0" * 4096)
    write("huge_line_after_begin", BEGIN + b"A" * (2 * 1024 * 1024))
    rng = random.Random(5)
    write("random_bytes", bytes(rng.randrange(256) for _ in range(3000)))
    write("png_header", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(500)))

    pem = key("id_rsa_2048_pem")
    write("pem_rsa_cut_in_half", pem[:len(pem) // 2])
    body = base64.b64encode(bytes(rng.randrange(256) for _ in range(600)))
    write("pem_rsa_garbage_der", armour(base64.b64decode(body), b"-----BEGIN RSA PRIVATE KEY-----\n",
                                        b"-----END RSA PRIVATE KEY-----\n"))
    write("pem_des3_cipher", key("id_rsa_2048_pem_enc").replace(b"AES-128-CBC", b"DES-EDE3-CBC"))
    write("pem_certificate_not_key", armour(b"\x30\x03\x02\x01\x00", b"-----BEGIN CERTIFICATE-----\n",
                                            b"-----END CERTIFICATE-----\n"))
    # Crashes the fuzzer found. fuzz/artifacts is not committed, so these are copied when
    # the fuzzer's files are here and otherwise the committed copies stay as they are.
    for name in ["repro-pkcs8-scrypt-4gib", "repro-pkcs8-scrypt-2pow40", "repro-pkcs8-pbkdf2-1e8"]:
        source = os.path.join(HERE, "..", "..", "fuzz", "artifacts", "private_key", name)
        target = name.replace("repro-", "")
        if os.path.exists(source):
            with open(source, "rb") as f:
                write(target, f.read())
        elif not os.path.exists(os.path.join(HERE, target)):
            sys.exit(f"make.py: neither {target} here nor {os.path.normpath(source)}")
    sshcom = struct.pack(">II", 0x3F6FF9EB, 64) + ssh_string(b"if-modn{sign{rsa-pkcs1-sha1},encrypt{rsa-pkcs1v2-oaep}}") + ssh_string(b"none")
    write("sshcom_private_key", armour(sshcom, b'---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: "bad"\n',
                                       b"---- END SSH2 ENCRYPTED PRIVATE KEY ----\n"))
    write("putty_private_key", key("fail_putty.ppk"))
    write("dsa_pem_private_key", key("fail_dsa_pem"))
    write("empty", b"")


def public_keys():
    kind, blob64 = key("id_ed25519.pub").split()[:2]
    blob = base64.b64decode(blob64)
    write("pub_bad_base64", kind + b" " + blob64[:20] + b"*" + blob64[21:] + b"\n")
    write("pub_padding_inside", kind + b" " + base64.b64encode(blob[:10]) + base64.b64encode(blob[10:]) + b"\n")
    write("pub_type_mismatch", b"ssh-rsa " + blob64 + b" mismatch\n")
    write("pub_unknown_type", b"ssh-foo " + base64.b64encode(ssh_string(b"ssh-foo") + ssh_string(b"k")) + b"\n")
    write("pub_blob_cut_short", kind + b" " + base64.b64encode(blob[:20]) + b"\n")
    write("pub_blob_trailing_bytes", kind + b" " + base64.b64encode(blob + b"\0\0\0\0") + b"\n")
    rng = random.Random(7)
    modulus = rng.getrandbits(768) | (1 << 767) | 1
    rsa768 = ssh_string(b"ssh-rsa") + ssh_string(b"\x01\x00\x01") + ssh_string(b"\0" + modulus.to_bytes(96, "big"))
    write("pub_rsa_768_bits", b"ssh-rsa " + base64.b64encode(rsa768) + b" too small\n")
    ecdsa_kind, ecdsa64 = key("id_ecdsa_256.pub").split()[:2]
    ecdsa = bytearray(base64.b64decode(ecdsa64))
    ecdsa[-1] ^= 1
    write("pub_ecdsa_point_off_curve", ecdsa_kind + b" " + base64.b64encode(bytes(ecdsa)) + b"\n")
    write("pub_nul_in_base64", kind + b" " + blob64[:30] + b"\0" + blob64[30:] + b"\n")
    write("pub_type_only", kind + b"\n")
    write("pub_after_bom", b"\xef\xbb\xbf" + key("id_ed25519.pub"))
    write("pub_crlf_blank_lines", b"\r\n\r\n\r\n")
    write("pub_huge_line", b"ssh-rsa " + b"A" * (3 * 1024 * 1024) + b"\n")
    write("pub_comment_lines_only", b"# ssh-ed25519 AAAA\n#\n   \n")
    write("ak_unterminated_quote", b'command="echo hi ' + kind + b" " + blob64 + b"\n")
    write("ak_options_only", b'no-pty,from="10.0.0.0/8"\n')
    cert_kind, cert64 = b"ssh-ed25519-cert-v01@openssh.com", base64.b64encode(ssh_string(b"ssh-ed25519-cert-v01@openssh.com") + b"\0\0\0\x20" + b"n" * 32)
    write("pub_certificate_cut_short", cert_kind + b" " + cert64 + b"\n")
    write("pub_private_key_line", b"-----BEGIN OPENSSH PRIVATE KEY-----\n")
    write("pub_latin1_type", b"ssh-ed25519\xe9 " + blob64 + b"\n")


def known_hosts_and_config():
    kind, blob64 = key("id_ed25519.pub").split()[:2]
    write("kh_key_argument_garbage", b"this is not a key\n")
    write("kh_key_argument_empty", b"")
    write("config_bad_port", b"Host *\n  Port notaport\n")
    write("config_bad_strict", b"Host *\n  StrictHostKeyChecking perhaps\n")
    write("config_binary", bytes(range(256)))
    write("hosts_file_bad_port", b"good.example.com\nbad.example.com:99999\n")
    write("hosts_file_empty_user", b"@host.example.com\n")
    write("identity_garbage.pub", b"garbage\n")
    write("identity_private_only_pem_enc", b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")
    write("passphrase_file_empty", b"")


private_keys()
public_keys()
known_hosts_and_config()
