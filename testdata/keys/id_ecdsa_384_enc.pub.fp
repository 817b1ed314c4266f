384 SHA256:Dk1znPo6Ccnvq7xoRRDUqBgz66XoTD6+CNe1Z9aFTog id_ecdsa_384_enc@keywright.test (ECDSA)
