384 SHA256:oe/310JG9cww1xZN26ir2sMes30qnrI/VMqfEAU2GiQ id_ecdsa_384_pkcs8_enc@keywright.test (ECDSA)
