#!/usr/bin/env bash
# Regenerates the fixtures in testdata/ with OpenSSH's ssh-keygen, the oracle the tests
# compare keywright against. Keys are random, so rerunning changes every file: commit the
# result as a whole. The expected outputs (*.fp, *.randomart) are what this machine's
# ssh-keygen printed for each key.
#
#   testdata/keys/id_<alg>[_<bits>][_<format>][_enc]   private keys (+ .pub)
#   *.pub.fp / .md5.fp / .sha512.fp                    ssh-keygen -l [-E md5|sha512] -f KEY.pub
#   *.pub.randomart / .md5.randomart                   ssh-keygen -lv [-E md5] -f KEY.pub
#   fail_*                                             inputs that must be refused
set -euo pipefail
cd "$(dirname "$0")"
export LC_ALL=C
PASSPHRASE='keywright-test'   # the passphrase of every *_enc key (OpenSSL wants >= 5 chars)
rm -rf keys && mkdir keys && cd keys

keygen() { # name, ssh-keygen options...
  local name=$1; shift
  ssh-keygen -q "$@" -f "$name" -C "$name@keywright.test"
}
keygen id_ed25519          -t ed25519 -N ''
keygen id_ed25519_enc      -t ed25519 -N "$PASSPHRASE"
for bits in 2048 3072 4096; do
  keygen "id_rsa_$bits"     -t rsa -b "$bits" -N ''
  keygen "id_rsa_${bits}_enc" -t rsa -b "$bits" -N "$PASSPHRASE"
done
for bits in 256 384 521; do
  keygen "id_ecdsa_$bits"     -t ecdsa -b "$bits" -N ''
  keygen "id_ecdsa_${bits}_enc" -t ecdsa -b "$bits" -N "$PASSPHRASE"
done
# Legacy formats OpenSSH still reads (written by OpenSSL inside ssh-keygen).
keygen id_rsa_2048_pem         -t rsa -b 2048 -m PEM -N ''
keygen id_rsa_2048_pem_enc     -t rsa -b 2048 -m PEM -N "$PASSPHRASE"
keygen id_ecdsa_256_pem        -t ecdsa -b 256 -m PEM -N ''
keygen id_ecdsa_384_pkcs8      -t ecdsa -b 384 -m PKCS8 -N ''
keygen id_ecdsa_384_pkcs8_enc  -t ecdsa -b 384 -m PKCS8 -N "$PASSPHRASE"
keygen id_rsa_3072_pkcs8       -t rsa -b 3072 -m PKCS8 -N ''
# DSA, which OpenSSH 9.2 still reads: fingerprints must work, its PEM form is refused.
keygen id_dsa -t dsa -N ''

# A key with the KDF rounds and cipher ssh-keygen chooses with -a and -Z.
keygen id_ed25519_a32_chacha_enc -t ed25519 -a 32 -Z chacha20-poly1305@openssh.com -N "$PASSPHRASE"

for pub in *.pub; do
  ssh-keygen -l -f "$pub" > "$pub.fp"
  ssh-keygen -l -E md5 -f "$pub" > "$pub.md5.fp"
  ssh-keygen -l -E sha512 -f "$pub" > "$pub.sha512.fp"
  ssh-keygen -lv -f "$pub" > "$pub.randomart"
  ssh-keygen -lv -E md5 -f "$pub" > "$pub.md5.randomart"
done

# Files with many keys: authorized_keys with options, known_hosts plain and hashed.
ed=$(cut -d' ' -f1,2 id_ed25519.pub); rsa=$(cut -d' ' -f1,2 id_rsa_2048.pub); ec=$(cut -d' ' -f1,2 id_ecdsa_384.pub)
{
  echo "# authorized_keys with the forms sshd accepts"
  echo "$ed alice@laptop"
  echo "no-pty,no-port-forwarding $rsa"
  echo "from=\"10.0.0.0/8,!10.9.9.9\",command=\"echo hello world\" $ec restricted key"
  echo ""
  printf '%s\tbob@tabs\r\n' "$ed"
  echo "restrict,pty $rsa"
  echo "environment=\"A=b c\" $ec # not a comment to ssh-keygen"
} > authorized_keys
ssh-keygen -l -f authorized_keys > authorized_keys.fp
{
  echo "host1.example.com,192.0.2.1 $ed"
  echo "[host2.example.com]:2222 $rsa"
  echo "*.wild.example.com,!bad.wild.example.com $ec"
  echo "@cert-authority *.example.com $ec"
  echo "@revoked revoked.example.com $rsa"
  echo "host3.example.com $ed trailing comment"
} > known_hosts
cp known_hosts known_hosts_hashed
ssh-keygen -q -H -f known_hosts_hashed >/dev/null 2>&1 && rm -f known_hosts_hashed.old
ssh-keygen -l -f known_hosts > known_hosts.fp
ssh-keygen -l -f known_hosts_hashed > known_hosts_hashed.fp

# Inputs that must be refused with a clear error (and what ssh-keygen says of them).
: > fail_empty
head -c 4096 /dev/urandom > fail_random
head -c 200 id_ed25519 > fail_truncated
sed 's/^\(.\{40\}\)./\1!/' id_ed25519.pub > fail_bad_base64.pub
echo "ssh-rsa $(cut -d' ' -f2 id_ed25519.pub) wrong type" > fail_type_mismatch.pub
printf 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n' > fail_putty.ppk
ssh-keygen -q -t dsa -m PEM -N '' -f fail_dsa_pem -C fail_dsa_pem && rm fail_dsa_pem.pub
