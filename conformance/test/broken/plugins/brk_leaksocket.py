from broken import main

main("brk_leaksocket", "leaksocket")
