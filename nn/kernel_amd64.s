#include "textflag.h"

// func kern4x8(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)
//
// C[r, 0:8] += Σ_l A[r, l]·B[l, 0:8] for r = 0..3, where A[r, l] is at
// a + (r·ars + l·acs) elements, B[l, j] at b + (l·ldb + j), C[r, j] at
// c + (r·ldc + j). Eight YMM accumulators, one FMA per product.
TEXT ·kern4x8(SB), NOSPLIT, $0-64
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ ars+16(FP), R8
	SHLQ $3, R8
	MOVQ acs+24(FP), BX
	SHLQ $3, BX
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R9
	SHLQ $3, R9
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R10
	SHLQ $3, R10

	LEAQ (SI)(R8*1), R11
	LEAQ (SI)(R8*2), R12
	LEAQ (R11)(R8*2), R13

	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7

	TESTQ CX, CX
	JE    store

loop:
	VMOVUPD      (DI), Y8
	VMOVUPD      32(DI), Y9
	VBROADCASTSD (SI), Y10
	VFMADD231PD  Y8, Y10, Y0
	VFMADD231PD  Y9, Y10, Y1
	VBROADCASTSD (R11), Y11
	VFMADD231PD  Y8, Y11, Y2
	VFMADD231PD  Y9, Y11, Y3
	VBROADCASTSD (R12), Y12
	VFMADD231PD  Y8, Y12, Y4
	VFMADD231PD  Y9, Y12, Y5
	VBROADCASTSD (R13), Y13
	VFMADD231PD  Y8, Y13, Y6
	VFMADD231PD  Y9, Y13, Y7
	ADDQ         BX, SI
	ADDQ         BX, R11
	ADDQ         BX, R12
	ADDQ         BX, R13
	ADDQ         R9, DI
	DECQ         CX
	JNE          loop

store:
	VADDPD  (DX), Y0, Y0
	VMOVUPD Y0, (DX)
	VADDPD  32(DX), Y1, Y1
	VMOVUPD Y1, 32(DX)
	ADDQ    R10, DX
	VADDPD  (DX), Y2, Y2
	VMOVUPD Y2, (DX)
	VADDPD  32(DX), Y3, Y3
	VMOVUPD Y3, 32(DX)
	ADDQ    R10, DX
	VADDPD  (DX), Y4, Y4
	VMOVUPD Y4, (DX)
	VADDPD  32(DX), Y5, Y5
	VMOVUPD Y5, 32(DX)
	ADDQ    R10, DX
	VADDPD  (DX), Y6, Y6
	VMOVUPD Y6, (DX)
	VADDPD  32(DX), Y7, Y7
	VMOVUPD Y7, 32(DX)
	VZEROUPPER
	RET

// func tanh4(dst, src *float64, n int, c *[tanhConsts]float64)
//
// dst[i] = tanh(src[i]) for i < n (n a multiple of 4), four at a time:
// with e = expm1(-2|x|), tanh|x| = -e/(2+e), and expm1 from the
// reduction t = k·ln2 + r, |r| <= ln2/2, expm1(t) = 2^k·expm1(r) + (2^k − 1)
// and a degree-13 Taylor polynomial for expm1(r). See tanhConst for c.
TEXT ·tanh4(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ c+24(FP), AX
	SHRQ $2, CX
	JE   tdone
	VBROADCASTSD 0(AX), Y15   // sign mask
	VBROADCASTSD 8(AX), Y14   // -2
	VBROADCASTSD 16(AX), Y13  // -40
	VBROADCASTSD 24(AX), Y12  // 1/ln2
	VBROADCASTSD 32(AX), Y11  // ln2 hi
	VBROADCASTSD 40(AX), Y10  // ln2 lo
	VBROADCASTSD 48(AX), Y9   // 1
	VBROADCASTSD 56(AX), Y8   // 2
	VBROADCASTSD 64(AX), Y7   // 1023 (int64 bits)

tloop:
	VMOVUPD (SI), Y0          // x
	VANDPD  Y15, Y0, Y1       // sign(x)
	VANDNPD Y0, Y15, Y2       // |x|
	VMULPD  Y14, Y2, Y2       // t = -2|x|
	VMAXPD  Y2, Y13, Y2       // t = max(t, -40), NaN kept
	VMULPD  Y12, Y2, Y3
	VROUNDPD $0, Y3, Y3       // k = round(t/ln2)
	VFNMADD231PD Y11, Y3, Y2  // r = t - k·ln2hi
	VFNMADD231PD Y10, Y3, Y2  // r -= k·ln2lo
	VBROADCASTSD 72(AX), Y4   // q = 1/13!
	VBROADCASTSD 80(AX), Y5
	VFMADD213PD Y5, Y2, Y4    // q = q·r + 1/12!
	VBROADCASTSD 88(AX), Y5
	VFMADD213PD Y5, Y2, Y4
	VBROADCASTSD 96(AX), Y5
	VFMADD213PD Y5, Y2, Y4
	VBROADCASTSD 104(AX), Y5
	VFMADD213PD Y5, Y2, Y4
	VBROADCASTSD 112(AX), Y5
	VFMADD213PD Y5, Y2, Y4
	VBROADCASTSD 120(AX), Y5
	VFMADD213PD Y5, Y2, Y4
	VBROADCASTSD 128(AX), Y5
	VFMADD213PD Y5, Y2, Y4
	VBROADCASTSD 136(AX), Y5
	VFMADD213PD Y5, Y2, Y4
	VBROADCASTSD 144(AX), Y5
	VFMADD213PD Y5, Y2, Y4
	VBROADCASTSD 152(AX), Y5
	VFMADD213PD Y5, Y2, Y4
	VBROADCASTSD 160(AX), Y5
	VFMADD213PD Y5, Y2, Y4    // q = q·r + 1/2
	VFMADD213PD Y9, Y2, Y4    // q = q·r + 1
	VMULPD  Y2, Y4, Y4        // e_r = expm1(r) = q·r
	VCVTPD2DQY Y3, X6         // k as int32
	VPMOVSXDQ X6, Y6          // k as int64
	VPADDQ  Y7, Y6, Y6
	VPSLLQ  $52, Y6, Y6       // 2^k
	VSUBPD  Y9, Y6, Y5        // 2^k - 1
	VFMADD231PD Y6, Y4, Y5    // e = 2^k·e_r + (2^k - 1)
	VADDPD  Y8, Y5, Y6        // 2 + e
	VXORPD  Y15, Y5, Y5       // -e
	VDIVPD  Y6, Y5, Y5        // -e/(2+e) = tanh|x|
	VANDNPD Y5, Y15, Y5       // +0, not -0, at x = 0
	VORPD   Y1, Y5, Y5        // with the sign of x
	VMOVUPD Y5, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNE     tloop

tdone:
	VZEROUPPER
	RET

// func tanhDeriv4(d, a *float64, n int, one *float64)
//
// d[i] *= 1 - a[i]·a[i] for i < n (n a multiple of 4), with separate
// multiply and subtract (no FMA) so the bits equal the Go loop's.
TEXT ·tanhDeriv4(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ one+24(FP), AX
	SHRQ $2, CX
	JE   ddone
	VBROADCASTSD (AX), Y3

dloop:
	VMOVUPD (SI), Y0
	VMULPD  Y0, Y0, Y0
	VSUBPD  Y0, Y3, Y1        // 1 - a²
	VMOVUPD (DI), Y2
	VMULPD  Y1, Y2, Y2
	VMOVUPD Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNE     dloop

ddone:
	VZEROUPPER
	RET
