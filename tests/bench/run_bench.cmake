# Generates the benchmark layers once, then runs each benchmark on them.
foreach(kind image delta)
  file(GLOB existing "${DIR}/${kind}-1G/*")
  if(NOT existing)
    file(MAKE_DIRECTORY "${DIR}/${kind}-1G")
    execute_process(COMMAND ${LAYERCTL} synth --kind ${kind} --size 1G "${DIR}/${kind}-1G"
                    COMMAND_ERROR_IS_FATAL ANY)
  endif()
  file(GLOB layer "${DIR}/${kind}-1G/*")
  execute_process(COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen ${BENCH} ${layer}
                  COMMAND_ERROR_IS_FATAL ANY)
endforeach()
