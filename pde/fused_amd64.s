//go:build !purego

#include "textflag.h"

// func fusedDiagAVX2(v, mu, d, w *float64, n int) (gm, den float64, signs uint64)
// n must be a multiple of 8. v = d*g; gm = sum g*mu; den = sum v*g;
// signs = OR of the bit patterns of d.
TEXT ·fusedDiagAVX2(SB), NOSPLIT, $0-64
	MOVQ v+0(FP), DI
	MOVQ mu+8(FP), SI
	MOVQ d+16(FP), R8
	MOVQ w+24(FP), R9
	MOVQ n+32(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	XORQ   AX, AX
	CMPQ   CX, $0
	JE     reduce

loop:
	VMOVUPD     (R8)(AX*8), Y5
	VMOVUPD     32(R8)(AX*8), Y6
	VMOVUPD     (R9)(AX*8), Y7
	VMOVUPD     32(R9)(AX*8), Y8
	VMULPD      Y7, Y5, Y9
	VMULPD      Y8, Y6, Y10
	VMOVUPD     Y9, (DI)(AX*8)
	VMOVUPD     Y10, 32(DI)(AX*8)
	VORPD       Y5, Y4, Y4
	VORPD       Y6, Y4, Y4
	VFMADD231PD (SI)(AX*8), Y7, Y0
	VFMADD231PD 32(SI)(AX*8), Y8, Y1
	VFMADD231PD Y9, Y7, Y2
	VFMADD231PD Y10, Y8, Y3
	ADDQ        $8, AX
	CMPQ        AX, CX
	JL          loop

reduce:
	VADDPD       Y1, Y0, Y0
	VADDPD       Y3, Y2, Y2
	VEXTRACTF128 $1, Y0, X5
	VADDPD       X5, X0, X0
	VHADDPD      X0, X0, X0
	VEXTRACTF128 $1, Y2, X6
	VADDPD       X6, X2, X2
	VHADDPD      X2, X2, X2
	VEXTRACTF128 $1, Y4, X7
	VORPD        X7, X4, X4
	VPSHUFD      $0x4E, X4, X7
	VORPD        X7, X4, X4
	VZEROUPPER
	MOVSD        X0, gm+40(FP)
	MOVSD        X2, den+48(FP)
	MOVQ         X4, signs+56(FP)
	RET

// func fusedDiagAVX512(v, mu, d, w *float64, n int) (gm, den float64, signs uint64)
// fusedDiagAVX2 with 8-wide registers: n must be a multiple of 8. Blocks of
// 32 go through four independent accumulators for each sum (so that the
// FMA latency does not bound the loop), blocks of 8 through the first; the
// sign bits are gathered three operands at a time (VPTERNLOGQ), because the
// loop is bound by the two ports that execute 512-bit arithmetic.
TEXT ·fusedDiagAVX512(SB), NOSPLIT, $0-64
	MOVQ v+0(FP), DI
	MOVQ mu+8(FP), SI
	MOVQ d+16(FP), R8
	MOVQ w+24(FP), R9
	MOVQ n+32(FP), CX
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6
	VPXORQ Z7, Z7, Z7
	VPXORQ Z8, Z8, Z8
	MOVQ CX, BX
	ANDQ $-32, BX
	XORQ AX, AX
	TESTQ BX, BX
	JEQ z8check
	PCALIGN $64

z32:
	VMOVUPD     (R8)(AX*8), Z10
	VMOVUPD     64(R8)(AX*8), Z11
	VMOVUPD     128(R8)(AX*8), Z12
	VMOVUPD     192(R8)(AX*8), Z13
	VMOVUPD     (R9)(AX*8), Z14
	VMOVUPD     64(R9)(AX*8), Z15
	VMOVUPD     128(R9)(AX*8), Z16
	VMOVUPD     192(R9)(AX*8), Z17
	VPTERNLOGQ  $0xfe, Z10, Z11, Z8 // Z8 |= Z10 | Z11
	VPTERNLOGQ  $0xfe, Z12, Z13, Z8
	VMULPD      Z14, Z10, Z10
	VMULPD      Z15, Z11, Z11
	VMULPD      Z16, Z12, Z12
	VMULPD      Z17, Z13, Z13
	VMOVUPD     Z10, (DI)(AX*8)
	VMOVUPD     Z11, 64(DI)(AX*8)
	VMOVUPD     Z12, 128(DI)(AX*8)
	VMOVUPD     Z13, 192(DI)(AX*8)
	VFMADD231PD (SI)(AX*8), Z14, Z0
	VFMADD231PD 64(SI)(AX*8), Z15, Z1
	VFMADD231PD 128(SI)(AX*8), Z16, Z2
	VFMADD231PD 192(SI)(AX*8), Z17, Z3
	VFMADD231PD Z10, Z14, Z4
	VFMADD231PD Z11, Z15, Z5
	VFMADD231PD Z12, Z16, Z6
	VFMADD231PD Z13, Z17, Z7
	ADDQ        $32, AX
	CMPQ        AX, BX
	JNE         z32

z8check:
	CMPQ AX, CX
	JGE  zreduce

z8:
	VMOVUPD     (R8)(AX*8), Z10
	VMOVUPD     (R9)(AX*8), Z14
	VPORQ       Z10, Z8, Z8
	VMULPD      Z14, Z10, Z10
	VMOVUPD     Z10, (DI)(AX*8)
	VFMADD231PD (SI)(AX*8), Z14, Z0
	VFMADD231PD Z10, Z14, Z4
	ADDQ        $8, AX
	CMPQ        AX, CX
	JL          z8

zreduce:
	VADDPD        Z1, Z0, Z0
	VADDPD        Z3, Z2, Z2
	VADDPD        Z2, Z0, Z0
	VADDPD        Z5, Z4, Z4
	VADDPD        Z7, Z6, Z6
	VADDPD        Z6, Z4, Z4
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPD        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPD        X1, X0, X0
	VHADDPD       X0, X0, X0
	VEXTRACTF64X4 $1, Z4, Y5
	VADDPD        Y5, Y4, Y4
	VEXTRACTF128  $1, Y4, X5
	VADDPD        X5, X4, X4
	VHADDPD       X4, X4, X4
	VEXTRACTI64X4 $1, Z8, Y9
	VPOR          Y9, Y8, Y8
	VEXTRACTI128  $1, Y8, X9
	VPOR          X9, X8, X8
	VPSHUFD       $0x4E, X8, X9
	VPOR          X9, X8, X8
	VZEROUPPER
	MOVSD         X0, gm+40(FP)
	MOVSD         X4, den+48(FP)
	MOVQ          X8, signs+56(FP)
	RET

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-4
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	RET
