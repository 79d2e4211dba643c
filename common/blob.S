/* blob.S: a file embedded in a binary, NUL-terminated (rules, profile). */
	.section .rodata
	.global BLOB_NAME
	.balign 16
BLOB_NAME:
	.incbin BLOB_FILE
	.byte 0
	.section .note.GNU-stack,"",@progbits
