256 SHA256:4b+DGW0xOtxCRKpclXw8Gq8ukEFyCwHseLHn04vthEU id_ed25519_enc@keywright.test (ED25519)
