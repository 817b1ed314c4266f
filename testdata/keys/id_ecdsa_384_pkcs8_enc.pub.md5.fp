384 MD5:fd:6a:bb:c5:ce:03:ca:bc:17:32:02:2b:3e:8f:27:a9 id_ecdsa_384_pkcs8_enc@keywright.test (ECDSA)
