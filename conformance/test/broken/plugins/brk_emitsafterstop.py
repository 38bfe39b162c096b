from broken import main

main("brk_emitsafterstop", "emitsafterstop")
