384 SHA256:OMZIJdjW0XhcWEpdD4LnONcMHng3t4S/T6H2x+Ql+gc id_ecdsa_384_pkcs8@keywright.test (ECDSA)
