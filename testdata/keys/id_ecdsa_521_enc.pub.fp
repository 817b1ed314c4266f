521 SHA256:hodZcDS9/knpiw6rFsVmgyYlD7IFczTe3vzuK/jb55g id_ecdsa_521_enc@keywright.test (ECDSA)
