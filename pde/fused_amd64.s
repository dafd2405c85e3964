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
