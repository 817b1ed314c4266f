384 SHA256:/8LWfxvEn8P3MbM4dSRu5N1x9TOzfl3QGPTP49d9b84 id_ecdsa_384_pkcs8@keywright.test (ECDSA)
