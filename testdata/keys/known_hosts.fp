256 SHA256:fbJOLGPUkig6Cy1+8LPU5zt37AlAhLPTaJtjYaP6PPo host1.example.com,192.0.2.1 (ED25519)
2048 SHA256:uhiV4GXtIVt+4MEEnvZ3taxFsfTQjJ9Sa3aWLxKc/EY [host2.example.com]:2222 (RSA)
384 SHA256:4FNO2/86Yd+PkxECF8DGmuJc9fAc878/+YkT2LEC8B8 *.wild.example.com,!bad.wild.example.com (ECDSA)
256 SHA256:fbJOLGPUkig6Cy1+8LPU5zt37AlAhLPTaJtjYaP6PPo trailing comment (ED25519)
