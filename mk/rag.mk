# rag.mk - brand retrieval targets: `make rag-index` (re)indexes every channel under
# CHANNELS_DIR incrementally; `make rag-eval` prints recall@5 / MRR on the labelled questions.
.PHONY: rag-index rag-eval rag-bench

rag-index: build
	./$(BUILD)/yaa rag index $(if $(CHANNEL),--channel $(CHANNEL),)

rag-eval: build
	./$(BUILD)/yaa rag eval tests/data/rag-eval.jsonl -k 5 --verbose

rag-bench: build
	./$(BUILD)/rag_bench
