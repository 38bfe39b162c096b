from broken import main

main("brk_wrongtype", "wrongtype")
